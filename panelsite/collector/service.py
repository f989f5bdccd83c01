"""What every route of the collector shares: the sites, storage, tokens, mail and URLs.

One :class:`Collector` per app (``app.state.collector``); the routes (routes.py,
submissions.py) take what they need from it.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from panelsite.collector.mail import FolderTransport
from panelsite.collector.pages import Pages
from panelsite.collector.security import Tokens, TrustedProxies, client_address
from panelsite.collector.sites import FormSite
from panelsite.collector.storage import Rate, Storage
from panelsite.collector.urls import Urls

log = logging.getLogger("panelsite.collector")


@dataclass
class Collector:
    sites: dict[str, FormSite]
    storage: Storage
    tokens: Tokens
    sender: object  # collector.sender.Sender, or None without SMTP and mail folder (mails wait in the outbox)
    urls: Urls
    rate_limit: tuple[int, int]  # requests, seconds: per client and municipality
    min_seconds: float  # minimum time to fill in a form
    export_tokens: dict[str, str]  # slug -> the token of its HTTP export (checked by export_tokens.check)
    proxies: TrustedProxies = field(default_factory=TrustedProxies)  # whose X-Forwarded-For is believed
    pages: Pages = field(init=False)

    def __post_init__(self):
        self.pages = Pages(self.urls)

    def site(self, request: Request) -> FormSite | None:
        return self.sites.get(request.path_params.get("slug", ""))

    def client(self, request: Request) -> str:
        """The client's address (behind a configured proxy: the one the proxy saw); never logged or stored."""
        return client_address(request.scope, self.proxies)

    def rate(self, request: Request, site: FormSite, limit: tuple[int, int] | None = None, purpose: str = "") -> Rate:
        """The rate-limit bucket of this client at this municipality (``purpose`` keeps a count of its own)."""
        count, seconds = limit or self.rate_limit
        now = int(time.time())
        return Rate(self.tokens.client_bucket(self.client(request), site.slug + purpose), now - now % seconds, count)

    @staticmethod
    def log(event: str, site: FormSite | None, form: str | None, status: int, started: float, **extra) -> None:
        """One JSON line: event, municipality, form, status and duration; never what was typed."""
        if not log.isEnabledFor(logging.INFO):
            return
        record = {"event": event, "slug": site.slug if site else None, "form": form, "status": status,
                  "ms": round((time.perf_counter() - started) * 1000, 1), **extra}
        log.info(json.dumps(record))

    @staticmethod
    def cors(response: Response, origin: str | None) -> Response:
        # Appended as encoded pairs, made once per origin: setting them one by one through
        # response.headers searches the header list each time, on every post.
        response.raw_headers.extend(_cors_headers(origin))
        return response

    def refuse(self, status: int, text: str, wants_json: bool, site: FormSite, origin: str | None) -> Response:
        if wants_json:
            return self.cors(JSONResponse({"ok": False, "error": text}, status_code=status), origin)
        return self.pages.refusal(site, status, text)

    # --- mail ---------------------------------------------------------------------------

    async def mail_queued(self, mail_id: str) -> None:
        """A stored submission queued a mail (in its own transaction): have it sent.

        To a mail folder (the local preview) before the answer, so it is there at once; by SMTP
        the sender thread is woken and the resident does not wait for the mail server. Without
        either the row waits in the outbox for a sender (``mail status`` shows it).
        """
        if self.sender is None:
            return
        if isinstance(self.sender.transport, FolderTransport):
            await run_in_threadpool(self.sender.send_ids, [mail_id])
        else:
            self.sender.wake()


@functools.lru_cache(maxsize=256)  # the sites' origins and the preview's: a handful
def _cors_headers(origin: str | None) -> tuple[tuple[bytes, bytes], ...]:
    headers = {}
    if origin:
        headers = {"access-control-allow-origin": origin, "access-control-allow-methods": "GET, POST, OPTIONS",
                   "access-control-allow-headers": "Accept, Content-Type", "access-control-max-age": "600"}
    headers["vary"] = "Origin"
    return tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())
