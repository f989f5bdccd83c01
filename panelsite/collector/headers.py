"""The security headers on every response of the collector."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import MutableHeaders


def security_headers(policy: str) -> dict[str, str]:
    # Confirmation and ?lid= links carry tokens: no Referer to other sites. Not "no-referrer":
    # Chrome then sends "Origin: null" with the POST from the collector's own pages (the error
    # page, the confirmation button), and the Origin check refuses them.
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


class SecurityHeaders:
    """Adds the security headers to every response (a plain ASGI middleware: no extra task per request).

    ``policy(path)`` gives the Content-Security-Policy for a request path.
    """

    def __init__(self, app, policy: Callable[[str], str]):
        self.app = app
        self.policy = policy

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        policy = self.policy(scope["path"])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(security_headers(policy))
            await send(message)

        await self.app(scope, receive, send_with_headers)
