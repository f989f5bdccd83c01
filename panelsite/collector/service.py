"""What every route of the collector shares: the sites, storage, tokens, mail and URLs.

One :class:`Collector` per app (``app.state.collector``); the routes (routes.py,
submissions.py) take what they need from it.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from panelsite.collector import mail_texts
from panelsite.collector.mail import FolderMailer, NoMailer, message
from panelsite.collector.pages import Pages
from panelsite.collector.security import Tokens, TrustedProxies, client_address
from panelsite.collector.sites import FormSite
from panelsite.collector.storage import CONFIRM_LEAVE, CONFIRM_SIGNUP, Mail, Rate, Storage
from panelsite.collector.urls import Urls

log = logging.getLogger("panelsite.collector")


@dataclass
class Collector:
    sites: dict[str, FormSite]
    storage: Storage
    tokens: Tokens
    mailer: object  # SMTPMailer, FolderMailer or NoMailer (panelsite.collector.mail)
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
        record = {"event": event, "slug": site.slug if site else None, "form": form, "status": status,
                  "ms": round((time.perf_counter() - started) * 1000, 1), **extra}
        log.info(json.dumps(record))

    @staticmethod
    def cors(response: Response, origin: str | None) -> Response:
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
        return response

    def refuse(self, status: int, text: str, wants_json: bool, site: FormSite, origin: str | None) -> Response:
        if wants_json:
            return self.cors(JSONResponse({"ok": False, "error": text}, status_code=status), origin)
        return self.pages.refusal(site, status, text)

    # --- mail ---------------------------------------------------------------------------

    async def deliver(self, site: FormSite, mail: Mail, response: Response) -> None:
        """Send the mail a stored submission calls for.

        By SMTP it goes out after the response (the answer is committed; the resident does not
        wait for the mail server); into the local preview's mail folder before it, so it is
        there at once.
        """
        if isinstance(self.mailer, NoMailer):
            return
        if isinstance(self.mailer, FolderMailer):
            await run_in_threadpool(self.send, site, mail)
        else:
            response.background = BackgroundTask(self.send, site, mail)

    def send(self, site: FormSite, mail: Mail) -> None:
        m = site.municipality
        try:
            text = mail_texts.render(site.mail_env, mail, self._link(site, mail))
            reply_to = mail.fields.get("email") if mail.to is None else None
            outgoing = message(self.mailer.sender or m.contact.email, mail.to or m.contact.email, text.subject,
                               text.body, reply_to=reply_to)
            self.mailer.send(outgoing)
        except Exception as exc:  # noqa: BLE001 - the data are stored; mail failure must not lose them
            log.error(json.dumps({"event": "mail_failed", "slug": site.slug, "kind": mail.kind,
                                  "error": type(exc).__name__}))

    def _link(self, site: FormSite, mail: Mail) -> str | None:
        if mail.kind == CONFIRM_SIGNUP:
            return self.urls.confirm_signup(site, self.tokens.confirmation(site.slug, mail.member_id))
        if mail.kind == CONFIRM_LEAVE:
            return self.urls.confirm_leave(site, self.tokens.leave(site.slug, mail.member_id, mail.request_id))
        return None
