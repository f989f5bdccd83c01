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
from panelsite.collector.security import Tokens
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
    export_token: str | None
    pages: Pages = field(init=False)

    def __post_init__(self):
        self.pages = Pages(self.urls)

    def site(self, request: Request) -> FormSite | None:
        return self.sites.get(request.path_params.get("slug", ""))

    def rate(self, request: Request, site: FormSite) -> Rate:
        limit, seconds = self.rate_limit
        client = request.client.host if request.client else "unknown"
        now = int(time.time())
        return Rate(self.tokens.client_bucket(client, site.slug), now - now % seconds, limit)

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

    async def deliver(self, site: FormSite, mail: Mail, request: Request, response: Response) -> None:
        """Send the mail a stored submission calls for.

        By SMTP it goes out after the response (the answer is committed; the resident does not
        wait for the mail server); into the local preview's mail folder before it, so it is
        there at once.
        """
        if isinstance(self.mailer, NoMailer):
            return
        if isinstance(self.mailer, FolderMailer):
            await run_in_threadpool(self.send, site, mail, request)
        else:
            response.background = BackgroundTask(self.send, site, mail, request)

    def send(self, site: FormSite, mail: Mail, request: Request) -> None:
        m = site.municipality
        sender = self.mailer.sender or m.contact.email
        try:
            text = mail_texts.render(site, mail, self._link(site, mail, request))
            msg = message(sender, mail.to or m.contact.email, text.subject, text.body)
            if mail.to is None and mail.fields.get("email"):
                msg["Reply-To"] = mail.fields["email"]
            self.mailer.send(msg)
        except Exception as exc:  # noqa: BLE001 - the data are stored; mail failure must not lose them
            log.error(json.dumps({"event": "mail_failed", "slug": site.slug, "kind": mail.kind,
                                  "error": type(exc).__name__}))

    def _link(self, site: FormSite, mail: Mail, request: Request) -> str | None:
        if mail.kind == CONFIRM_SIGNUP:
            return self.urls.confirm_signup(request, site, self.tokens.confirmation(site.slug, mail.member_id))
        if mail.kind == CONFIRM_LEAVE:
            return self.urls.confirm_leave(request, site, self.tokens.leave(site.slug, mail.member_id, mail.request_id))
        return None
