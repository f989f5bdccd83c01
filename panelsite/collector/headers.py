"""The security headers on every response of the collector."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders


def security_headers(policy: str) -> dict[str, str]:
    # Confirmation and ?lid= links carry tokens: no Referer to other sites. Not "no-referrer":
    # Chrome then sends "Origin: null" with the POST from the collector's own pages (the error
    # page, the confirmation button), and the Origin check refuses them.
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


_NAMES = frozenset(name.lower().encode("latin-1") for name in security_headers(""))


class SecurityPolicy:
    """The security headers of a request, encoded once per Content-Security-Policy: one per
    municipality (``urls.content_security_policy``), and one for no site."""

    def __init__(self, urls, sites: dict):
        self.urls = urls
        self.sites = sites
        self._encoded: dict[str, list[tuple[bytes, bytes]]] = {}

    def raw(self, path: str) -> list[tuple[bytes, bytes]]:
        """For a request path: the site is its first segment."""
        return self.for_site(self.sites.get(path.strip("/").split("/", 1)[0]))

    def for_site(self, site) -> list[tuple[bytes, bytes]]:
        policy = self.urls.content_security_policy(site)
        raw = self._encoded.get(policy)
        if raw is None:
            raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in security_headers(policy).items()]
            if len(self._encoded) < 1000:
                self._encoded[policy] = raw
        return raw

    @staticmethod
    def apply(headers: list[tuple[bytes, bytes]], raw: list[tuple[bytes, bytes]]) -> None:
        """Add the encoded security headers ``raw`` to a response's raw headers, in place; where the
        response set one of them itself, ours replaces it."""
        headers[:] = [h for h in headers if h[0] not in _NAMES]
        headers.extend(raw)


class SecurityHeaders:
    """Adds the security headers to every response (a plain ASGI middleware: no extra task per request)."""

    def __init__(self, app, headers: SecurityPolicy):
        self.app = app
        self.headers = headers

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        raw = self.headers.raw(scope["path"])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                SecurityPolicy.apply(MutableHeaders(scope=message).raw, raw)
            await send(message)

        await self.app(scope, receive, send_with_headers)
