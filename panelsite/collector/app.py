"""The collector: a small Starlette app the static sites' forms post to.

Routes (``<form>`` is aanmelden, afmelden, contact or vragenlijst-<survey-id>)::

    POST /<slug>/<form>               a submission (form post or fetch() with Accept: application/json)
    GET  /<slug>/<form>               the form as a page of the site (fresh timestamp; ?lid= invitation)
    GET  /<slug>/<form>/fout/<id>     the form again with the resident's input and the error messages
    GET  /<slug>/token                a signed "form loaded" timestamp for forms.js (minimum fill time)
    GET  /<slug>/bevestigen?t=…       confirm a sign-up (a page with a button: POSTs to the same URL)
    GET  /<slug>/afmelden/bevestigen?t=…  confirm leaving the panel (the same: a page with a button)
    POST /<slug>/afmelden/direct?t=…  leave at once: the one-click link of panel mailings (RFC 8058; GET: a button)
    GET  /<slug>/export/<what>        CSV export for administrators (Authorization: Bearer …)
    GET  /healthz

The parts: ``sites`` (what is served, loaded without the build), ``routes`` and
``submissions`` (the requests), ``storage`` (all SQL), ``pages`` and ``mail_texts`` (what
residents read), ``urls`` (every link and origin, from configuration), ``service`` (what the
routes share), ``sender`` (the outbox's sender thread: every mail is a row first).
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from panelsite.collector import routes, submissions
from panelsite.collector.headers import SecurityHeaders, SecurityPolicy
from panelsite.collector.letters import Letters, load_signers
from panelsite.collector.mail import FolderTransport, SMTPSettings, SMTPTransport
from panelsite.collector.security import Tokens, TrustedProxies, check_export_tokens
from panelsite.collector.sender import Backoff, Sender
from panelsite.collector.service import Collector
from panelsite.collector.sites import FormSite, load_sites
from panelsite.collector.storage import Storage, open_storage
from panelsite.collector.submissions import MAX_BODY
from panelsite.collector.urls import CONFIRM_PATH, LEAVE_PATH, UNSUBSCRIBE_PATH, Urls
from panelsite.config import email_address
from panelsite.forms.model import Form

log = logging.getLogger("panelsite.collector")


def create_app(
    project_root: Path,
    *,
    database_url: str | None = None,
    secret: str,
    mail_dir: Path | None = None,
    smtp: SMTPSettings | None = None,
    preview_origins: list[str] = (),
    public_url: str | None = None,
    preview_site_url: str | None = None,
    rate_limit: tuple[int, int] = (30, 600),
    min_seconds: float = 3.0,
    export_tokens: dict[str, str] | None = None,
    trusted_proxies: TrustedProxies | list[str] = (),
    storage: Storage | None = None,
    sites: dict[str, FormSite] | None = None,
    backoff: Backoff = Backoff(),
    lease: float = 120.0,
) -> Starlette:
    """The ASGI app. ``rate_limit`` is (requests, seconds) per client and municipality;
    ``public_url`` is where residents reach the collector (links in mails and pages; else each
    municipality's ``collector.url``); ``export_tokens`` maps a slug to the token of its HTTP
    export; ``trusted_proxies`` are the proxies whose X-Forwarded-For is believed. Mail goes by
    ``smtp``, else into ``mail_dir``; either way through the outbox, whose sender runs in a thread
    (``backoff`` and ``lease``: see collector/sender.py).

    Raises ValueError, naming what to fix, for anything that would make the collector unsafe to
    run: a short secret, a municipality without a public URL, a weak or shared export token.
    """
    if not secret or len(secret) < 16:
        raise ValueError("the collector needs a secret of at least 16 characters (PANELSITE_SECRET)")
    project_root = Path(project_root)
    sites = sites if sites is not None else load_sites(project_root)
    urls = Urls(public_url, list(preview_origins), preview_site_url)
    urls.check(sites)
    export_tokens = dict(export_tokens or {})
    check_export_tokens(export_tokens, sites)
    proxies = trusted_proxies if isinstance(trusted_proxies, TrustedProxies) else TrustedProxies(trusted_proxies)
    if smtp and smtp.sender and not email_address.is_valid(smtp.sender):
        raise ValueError(f'--smtp-from: "{smtp.sender}" is not valid (expected an e-mail address like panel@gemeente.nl)')
    signers = load_signers(sites, project_root, smtp.sender if smtp else None)
    storage = storage or open_storage(database_url, project_root)
    tokens = Tokens(secret)
    transport = SMTPTransport(smtp) if smtp else FolderTransport(mail_dir) if mail_dir else None
    sender = None
    if transport is None:
        log.warning(json.dumps({"event": "no_mailer", "detail": "no SMTP host and no mail folder: e-mails wait in the "
                                                                "outbox until a sender with those settings runs"}))
    else:
        letters = Letters(sites, tokens, urls, storage, smtp.sender if smtp else None, signers)
        sender = Sender(storage, letters, transport, lease=lease, backoff=backoff)
    collector = Collector(sites, storage, tokens, sender, urls, rate_limit, min_seconds, export_tokens, proxies)
    table = [
        Route("/healthz", routes.healthz, methods=["GET"]),
        Route("/{slug}/token", routes.token, methods=["GET", "OPTIONS"]),
        Route("/{slug}/" + CONFIRM_PATH, routes.confirm_signup, methods=["GET", "POST"]),
        Route("/{slug}/export/{what}", routes.export, methods=["GET"]),
        Route("/{slug}/" + LEAVE_PATH, routes.confirm_leave, methods=["GET", "POST"]),
        Route("/{slug}/" + UNSUBSCRIBE_PATH, routes.unsubscribe, methods=["GET", "POST"]),
        Route("/{slug}/{form}/fout/{draft}", routes.error_page, methods=["GET"]),
        Route("/{slug}/{form}", routes.form, methods=["GET", "POST", "OPTIONS"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        # The loaded configuration lives as long as the process: keep it out of the
        # garbage collector's full scans, whose pauses otherwise show in the tail latency.
        gc.collect()
        gc.freeze()
        if sender is not None:
            sender.start()  # what waits from before (a restart after a crash) goes now
        yield
        if sender is not None:
            sender.stop()
        storage.close()

    headers = SecurityPolicy(urls, sites)
    app = CollectorApp(collector, headers, routes=table, max_body_size=MAX_BODY, lifespan=lifespan,
                       middleware=[Middleware(SecurityHeaders, headers=headers)],
                       exception_handlers={Exception: routes.server_error})
    app.state.collector = collector
    return app


class CollectorApp(Starlette):
    """The route table above, with one shortcut: a post to a form goes straight to
    ``submissions.submit``.

    A form post is nearly every request in a round. Starlette's five layers between the server and
    the route (errors, the body limit, the security headers, HTTP exceptions, the route table) cost
    about as much as the submission itself. So for a post this does what they do, in one place:
    the body limit, the security headers, Starlette's answer to an HTTP exception and the Dutch error
    page. Every other request takes the route table.
    """

    def __init__(self, collector: Collector, headers: SecurityPolicy, **options):
        super().__init__(**options)
        self._collector = collector
        self._headers = headers

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            target = self._form(scope)
            if target is not None:
                scope["app"] = self
                return await self._post(scope, receive, send, *target)
        await super().__call__(scope, receive, send)

    def _form(self, scope) -> tuple[FormSite, Form] | None:
        """(site, form) when the path is "/{slug}/{form}" of a site and one of its forms."""
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root + "/"):
            path = path[len(root):]
        parts = path.split("/")
        if len(parts) != 3 or parts[0]:
            return None
        site = self._collector.sites.get(parts[1])
        form = site.forms.get(parts[2]) if site is not None else None
        if form is None:
            return None
        scope["path_params"] = {"slug": parts[1], "form": parts[2]}
        return site, form

    async def _post(self, scope, receive, send, site: FormSite, form: Form) -> None:
        request = Request(scope, _limited(scope, receive))
        try:
            response = await submissions.submit(self._collector, request, site, form)
        except HTTPException as exc:  # a body over the limit (413), answered as Starlette would
            response = PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=exc.headers)
        except Exception as exc:
            await (await routes.server_error(request, exc))(scope, receive, send)
            raise  # after the answer, as Starlette does: the server logs what went wrong
        SecurityPolicy.apply(response.raw_headers, self._headers.for_site(site))
        await response(scope, receive, send)


TOO_LARGE = "Content Too Large"  # Starlette's own words for max_body_size


def _limited(scope, receive):
    """``receive``, refusing a body over MAX_BODY (413) as Starlette's ``max_body_size`` does."""
    length = next((value for name, value in scope["headers"] if name == b"content-length"), b"")
    if length.isdigit() and int(length) > MAX_BODY:
        async def refuse():
            raise HTTPException(413, TOO_LARGE)

        return refuse
    received = 0

    async def receive_with_limit():
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > MAX_BODY:
            raise HTTPException(413, TOO_LARGE)
        return message

    return receive_with_limit
