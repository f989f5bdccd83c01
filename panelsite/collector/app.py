"""The collector: a small Starlette app the static sites' forms post to.

Routes (``<form>`` is aanmelden, afmelden, contact or vragenlijst-<survey-id>)::

    POST /<slug>/<form>               a submission (form post or fetch() with Accept: application/json)
    GET  /<slug>/<form>               the form as a page of the site (fresh timestamp; ?lid= invitation)
    GET  /<slug>/<form>/fout/<id>     the form again with the resident's input and the error messages
    GET  /<slug>/token                a signed "form loaded" timestamp for forms.js (minimum fill time)
    GET  /<slug>/bevestigen?t=…       confirm a sign-up (a page with a button: POSTs to the same URL)
    GET  /<slug>/afmelden/bevestigen?t=…  confirm leaving the panel (the same: a page with a button)
    GET  /<slug>/export/<what>        CSV export for administrators (Authorization: Bearer …)
    GET  /healthz

A submission is acknowledged (303 to the site's thank-you page, or JSON) only
after it is committed. Abuse handling: honeypot (bots get the normal thank-you,
nothing is stored), a minimum fill time from a signed timestamp, a per-client
rate limit kept in the database, a 64 KB body limit and an Origin check.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import hmac
import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from panelsite import forms as forms_mod
from panelsite.collector import export as export_mod
from panelsite.collector.mail import FolderMailer, NoMailer, SMTPMailer, SMTPSettings, message
from panelsite.collector.security import LEAVE_MAX_AGE, Tokens, origin_of, request_origin
from panelsite.collector.storage import Rate, Storage, StorageError, open_storage
from panelsite.engine.chrome import chrome
from panelsite.engine.render import environment
from panelsite.forms.background import age_category

log = logging.getLogger("panelsite.collector")

MAX_BODY = 64 * 1024
DRAFT_MAX_AGE = 3600.0
KEY_CHARS = set("0123456789abcdefABCDEF-")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
RETRY_AFTER = 60  # seconds; matches "over een minuut" in NOT_STORED

NOT_STORED = "Uw antwoorden zijn nog niet opgeslagen. Probeer het over een minuut opnieuw."
TOO_MANY = "U hebt te vaak iets verstuurd. Probeer het over een paar minuten opnieuw."
# What whoever asks to leave is told, whether or not the address is known (no account enumeration).
LEAVE_MAIL_SENT = "Kijk in uw e-mail: klik op de link om uw afmelding te bevestigen."
LEAVE_PATH = "afmelden/bevestigen"
UNREADABLE = ("Uw browser stuurde het formulier op een manier die we niet kunnen lezen. "
              "Laad de pagina opnieuw en probeer het nog eens.")


class Site:
    """One municipality as the collector sees it: its forms and where its site lives."""

    def __init__(self, municipality, surveys, project_root: Path):
        self.municipality = municipality
        self.slug = municipality.slug
        self.surveys = [s for s in surveys if getattr(s, "collect", False)]
        self.forms = forms_mod.site_forms(municipality, self.surveys)
        self.base_url = municipality.base_url
        self.origin = origin_of(municipality.base_url)
        self.env = environment(project_root, municipality)
        self.navigation = _navigation(project_root, municipality)
        self.extra_profile = [f.name for f in self.forms["aanmelden"].fields
                              if f.store == "profile" and not f.variable]


def _navigation(project_root: Path, municipality) -> list:
    """The site's main menu, so a page the collector serves looks like the rest of the site."""
    from panelsite.engine.content import load_pages
    from panelsite.engine.pipeline import main_navigation
    from panelsite.errors import PanelsiteError

    try:
        pages = load_pages(project_root, municipality.slug)
    except PanelsiteError:  # the build reports broken pages; the collector keeps accepting responses
        return []
    return sorted(main_navigation(pages), key=lambda n: n.order)


def load_sites(project_root: Path, only: list[str] | None = None) -> dict[str, Site]:
    from panelsite.config.municipality import load_municipalities
    from panelsite.errors import captured
    from panelsite.surveys import load_surveys

    sites = {}
    with captured():  # the build reports the configuration's warnings
        municipalities = load_municipalities(project_root, only)
    for slug, municipality in municipalities.items():
        folder = project_root / "content" / slug / "surveys"
        surveys = load_surveys(folder, municipality, project_root) if folder.is_dir() else []
        sites[slug] = Site(municipality, surveys, project_root)
    return sites


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
    export_token: str | None = None,
    storage: Storage | None = None,
    sites: dict[str, Site] | None = None,
) -> Starlette:
    """The ASGI app. ``rate_limit`` is (requests, seconds) per client and municipality;
    ``public_url`` is where residents reach the collector (for links in e-mails)."""
    if not secret or len(secret) < 16:
        raise ValueError("the collector needs a secret of at least 16 characters (PANELSITE_SECRET)")
    project_root = Path(project_root)
    sites = sites if sites is not None else load_sites(project_root)
    storage = storage or open_storage(database_url, project_root)
    mailer = SMTPMailer(smtp) if smtp else FolderMailer(mail_dir) if mail_dir else NoMailer()
    if isinstance(mailer, NoMailer):
        log.warning(json.dumps({"event": "no_mailer", "detail": "no SMTP host and no mail folder: e-mails are dropped"}))
    state = Collector(sites, storage, Tokens(secret), mailer, [o for o in map(origin_of, preview_origins) if o],
                      public_url, rate_limit, min_seconds, export_token, preview_site_url)
    routes = [
        Route("/healthz", state.healthz, methods=["GET"]),
        Route("/{slug}/token", state.token, methods=["GET", "OPTIONS"]),
        Route("/{slug}/bevestigen", state.confirm, methods=["GET", "POST"]),
        Route("/{slug}/export/{what}", state.export, methods=["GET"]),
        Route("/{slug}/" + LEAVE_PATH, state.confirm_leave, methods=["GET", "POST"]),
        Route("/{slug}/{form}/fout/{draft}", state.error_page, methods=["GET"]),
        Route("/{slug}/{form}", state.form, methods=["GET", "POST", "OPTIONS"]),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        # The loaded configuration lives as long as the process: keep it out of the
        # garbage collector's full scans, whose pauses otherwise show in the tail latency.
        gc.collect()
        gc.freeze()
        yield
        storage.close()

    app = Starlette(routes=routes, max_body_size=MAX_BODY, lifespan=lifespan,
                    middleware=[Middleware(SecurityHeaders, policy=state.content_security_policy)],
                    exception_handlers={Exception: state.server_error})
    app.state.collector = state
    return app


def security_headers(policy: str) -> dict[str, str]:
    # Confirmation and ?lid= links carry tokens: no Referer to other sites. Not "no-referrer":
    # Chrome then sends "Origin: null" with the POST from the collector's own pages (the error
    # page, the confirmation button), and the Origin check refuses them.
    return {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


class SecurityHeaders:
    """Adds the security headers to every response (a plain ASGI middleware: no extra task per request)."""

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


class Collector:
    def __init__(self, sites, storage, tokens, mailer, preview_origins, public_url, rate_limit, min_seconds, export_token,
                 preview_site_url: str | None = None):
        # Local preview only: the sites are served at this URL ({slug}) instead of their base_url.
        self.preview_site_url = preview_site_url
        self.sites = sites
        self.storage = storage
        self.tokens = tokens
        self.mailer = mailer
        self.preview_origins = preview_origins
        self.public_url = public_url.rstrip("/") + "/" if public_url else None
        self.rate_limit = rate_limit
        self.min_seconds = min_seconds
        self.export_token = export_token
        self._policies: dict[str, str] = {}

    # --- helpers ------------------------------------------------------------------------

    def _site(self, request: Request) -> Site | None:
        return self.sites.get(request.path_params["slug"])

    def _own_url(self, request: Request, site: Site) -> str:
        configured = site.municipality.collector.url
        base = self.public_url or configured or str(request.base_url)
        return base if base.endswith("/") else base + "/"

    def _allowed_origin(self, request: Request, site: Site) -> str | None:
        origin = request_origin(request.headers)
        if origin is None:
            return None
        # Never the Host header: a request names its own Host, so a page on evil.example could
        # post with Host: evil.example and pass. The collector's own pages (the error page, the
        # confirmation page) post from where it is configured to be.
        if origin == site.origin or origin in self.preview_origins or origin in self._own_origins(request, site):
            return origin
        return None

    def _own_origins(self, request: Request, site: Site) -> set[str]:
        configured = site.municipality.collector.url
        own = {o for o in (origin_of(self.public_url), origin_of(configured)) if o}
        if not own and request.url.hostname in LOOPBACK:
            # A collector on this machine with no public URL (a local run): only a browser on the
            # same machine reaches it, and its Host header names loopback.
            own.add(origin_of(str(request.base_url)))
        return own

    def _site_base(self, site: Site, origin: str | None) -> str:
        """Where the thank-you page lives: the site, or a preview origin the form came from."""
        if origin and origin in self.preview_origins:
            if self.preview_site_url:
                return self.preview_site_url.format(slug=site.slug)
            return origin + urlparse(site.base_url).path
        return site.base_url

    def _site_url(self, site: Site) -> str:
        """The site as residents reach it: its base_url, or the local preview's URL."""
        return self.preview_site_url.format(slug=site.slug) if self.preview_site_url else site.base_url

    def _cors(self, response: Response, origin: str | None) -> Response:
        if origin:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
        return response

    def _rate(self, request: Request, site: Site) -> Rate:
        limit, seconds = self.rate_limit
        client = request.client.host if request.client else "unknown"
        now = int(time.time())
        return Rate(self.tokens.client_bucket(client, site.slug), now - now % seconds, limit)

    def _page(self, site: Site, template: str, status: int = 200, path: str = "", **context) -> HTMLResponse:
        ctx = chrome(site.municipality, self._site_url(site), path)
        ctx["navigation"] = site.navigation
        ctx["page"].title = context.pop("title", "")
        ctx.update(context)
        html = site.env.get_template(template).render(**ctx)
        response = HTMLResponse(html, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    def _message_page(self, site: Site, status: int, heading: str, text: str) -> HTMLResponse:
        return self._page(site, "forms/thanks.html", status, title=heading, heading=heading, paragraphs=[text],
                          links=[{"path": "", "text": f"Naar de startpagina van {site.municipality.panel_name}"}])

    @staticmethod
    def _log(event: str, site: Site | None, form: str | None, status: int, started: float, **extra) -> None:
        record = {"event": event, "slug": site.slug if site else None, "form": form, "status": status,
                  "ms": round((time.perf_counter() - started) * 1000, 1), **extra}
        log.info(json.dumps(record))

    def content_security_policy(self, path: str) -> str:
        slug = path.strip("/").split("/", 1)[0]
        if slug not in self._policies:
            site = self.sites.get(slug)
            if site is None:  # /healthz, 404s: nothing to load
                return "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
            # The pages are the site's templates: CSS, forms.js, logo and favicon come from the
            # site (or the local preview), not from the collector. Forms post to the collector,
            # which answers with a redirect to the site's thank-you page; browsers check that
            # redirect against form-action too, so the site is allowed there.
            site_origins = {site.origin, origin_of(self._site_url(site)), *self.preview_origins} - {None}
            own = {o for o in (origin_of(self.public_url), origin_of(site.municipality.collector.url))
                   if o}
            assets = " ".join(sorted(site_origins))
            posts = " ".join(["'self'", *sorted(own)])
            self._policies[slug] = (
                f"default-src 'none'; style-src {assets}; script-src {assets}; img-src {assets}; "
                f"connect-src {posts}; form-action {posts} {assets}; frame-ancestors 'none'; base-uri 'none'")
        return self._policies[slug]

    async def server_error(self, request: Request, exc: Exception) -> Response:
        """Anything unforeseen: a Dutch page instead of Starlette's English one; only the class is logged."""
        log.error(json.dumps({"event": "server_error", "path_slug": request.path_params.get("slug"),
                              "error": type(exc).__name__}))
        text = "Er ging iets mis bij ons. Uw gegevens zijn misschien niet opgeslagen. Probeer het over een minuut opnieuw."
        site = self.sites.get(request.path_params.get("slug", ""))
        if "application/json" in request.headers.get("accept", "") or site is None:
            origin = self._allowed_origin(request, site) if site else None
            response = self._cors(JSONResponse({"ok": False, "error": text}, status_code=500), origin)
        else:
            response = self._message_page(site, 500, "Er ging iets mis", text)
        # Starlette answers this outside the middleware stack, so the headers are added here.
        response.headers.update(security_headers(self.content_security_policy(request.url.path)))
        return response

    # --- routes -------------------------------------------------------------------------

    async def healthz(self, request: Request) -> Response:
        # A write, not a read: a full disk or a read-only database still answers reads,
        # and a load balancer must stop sending residents here then.
        try:
            await run_in_threadpool(self.storage.heartbeat, time.time())
        except Exception as exc:  # noqa: BLE001 - report, do not crash
            detail = exc.kind if isinstance(exc, StorageError) else type(exc).__name__
            return JSONResponse({"status": "error", "detail": detail}, status_code=503, headers={"Cache-Control": "no-store"})
        return JSONResponse({"status": "ok", "sites": sorted(self.sites)}, headers={"Cache-Control": "no-store"})

    async def token(self, request: Request) -> Response:
        site = self._site(request)
        if site is None:
            return PlainTextResponse("Niet gevonden", status_code=404)
        origin = self._allowed_origin(request, site)
        if request.method == "OPTIONS":
            return self._cors(Response(status_code=204 if origin else 403), origin)
        response = JSONResponse({"token": self.tokens.form_loaded(site.slug)}, headers={"Cache-Control": "no-store"})
        return self._cors(response, origin)

    async def form(self, request: Request) -> Response:
        site = self._site(request)
        form = site.forms.get(request.path_params["form"]) if site else None
        if form is None:
            return PlainTextResponse("Niet gevonden", status_code=404)
        if request.method == "OPTIONS":
            origin = self._allowed_origin(request, site)
            return self._cors(Response(status_code=204 if origin else 403), origin)
        if request.method == "GET":
            member = request.query_params.get("lid", "")
            hidden = {"_ts": self.tokens.form_loaded(site.slug), "_key": str(uuid.uuid4())}
            if member and self.tokens.member_id(member, site.slug):
                hidden["_lid"] = member
            return self._page(site, "forms/form_page.html", path=form.path, title=form.title, form=form,
                              action=self._own_url(request, site) + f"{site.slug}/{form.id}", hidden=hidden,
                              values={}, errors={}, paper_path=None)
        return await self.submit(request, site, form)

    async def submit(self, request: Request, site: Site, form) -> Response:
        started = time.perf_counter()
        wants_json = "application/json" in request.headers.get("accept", "")
        origin = self._allowed_origin(request, site)
        if origin is None:
            self._log("refused_origin", site, form.id, 403, started)
            # The refusal itself may be read by the page that sent it: it tells nothing but "not from here".
            return self._refuse(403, "Dit formulier kan alleen vanaf de website van het panel worden verstuurd.", wants_json,
                                site, request_origin(request.headers))
        try:
            async with request.form(max_fields=300, max_part_size=MAX_BODY) as posted:
                data: dict[str, list[str]] = {}
                for name, value in posted.multi_items():
                    if isinstance(value, str):
                        data.setdefault(name, []).append(value)
        except HTTPException as exc:
            if exc.status_code != 400:
                raise
            # Starlette's own texts ("Too many fields", "Missing boundary …") are English and technical.
            self._log("unreadable", site, form.id, 400, started)
            return self._refuse(400, UNREADABLE, wants_json, site, origin)
        key = _submission_key(data)
        try:
            return await self._store(request, site, form, data, key, origin, wants_json, started)
        except StorageError as exc:
            return self._store_failed(request, site, form, data, key, origin, wants_json, started, exc)

    async def _store(self, request: Request, site: Site, form, data: dict, key: str, origin: str, wants_json: bool,
                     started: float) -> Response:
        thanks = self._site_base(site, origin) + form.thanks_path
        said = LEAVE_MAIL_SENT if form.kind == "afmelden" else None

        if any(v.strip() for v in data.get("website", [])):  # honeypot: act as if all went well
            self._log("honeypot", site, form.id, 200 if wants_json else 303, started)
            return self._success(thanks, wants_json, origin, said)

        rate = self._rate(request, site)
        errors: dict[str, str] = {}
        stamp = (data.get("_ts") or [""])[0]
        if stamp:
            seconds = self.tokens.seconds_since_loaded(stamp, site.slug)
            if seconds is None:
                errors["_form"] = form.fields[0].message("expired")
            elif seconds < self.min_seconds:
                errors["_form"] = form.fields[0].message("too_fast")

        member_id, profile = None, None
        if form.kind == "vragenlijst" and data.get("_lid"):
            member_id = self.tokens.member_id(data["_lid"][0], site.slug)
            if member_id:
                profile = await run_in_threadpool(self.storage.member, site.slug, member_id)
                if profile is None:
                    member_id = None

        result = forms_mod.validate(form, data, skip_background=profile is not None)
        errors.update(result.errors)
        if errors:
            allowed = await run_in_threadpool(self.storage.hit, rate)
            if not allowed:
                self._log("rate_limited", site, form.id, 429, started)
                return self._refuse(429, TOO_MANY, wants_json, site, origin)
            self._log("invalid", site, form.id, 422 if wants_json else 303, started,
                      fields=sorted(errors))  # names of the fields only, never what was typed
            if wants_json:
                return self._cors(JSONResponse({"ok": False, "errors": errors}, status_code=422), origin)
            draft = secrets.token_urlsafe(18)
            keep = {k: v for k, v in data.items() if not k.startswith("_") and k != "website"}
            keep["_key"] = [key]
            if data.get("_lid"):
                keep["_lid"] = data["_lid"][:1]
            await run_in_threadpool(self.storage.save_draft, draft, site.slug, form.id,
                                    {"values": keep, "errors": errors, "origin": origin}, time.time(), DRAFT_MAX_AGE)
            return RedirectResponse(self._own_url(request, site) + f"{site.slug}/{form.id}/fout/{draft}", status_code=303)

        now = time.time()
        write = self._writer(site, form, result, now, member_id, profile, data)
        outcome, effect = await run_in_threadpool(self.storage.submit, site.slug, form.id, key, now, rate, write)
        if outcome == "limited":
            self._log("rate_limited", site, form.id, 429, started)
            return self._refuse(429, TOO_MANY, wants_json, site, origin)
        self._log("stored" if outcome == "stored" else "duplicate", site, form.id, 200 if wants_json else 303, started)
        response = self._success(thanks, wants_json, origin, said)
        if outcome == "stored" and effect and not isinstance(self.mailer, NoMailer):
            if isinstance(self.mailer, SMTPMailer):
                # The answer is committed; the e-mail (an SMTP round trip) goes out after
                # the response, so the resident does not wait for the mail server.
                response.background = BackgroundTask(self._send, site, effect, request)
            else:  # the local preview's mail folder: written before the answer, so it is there at once
                await run_in_threadpool(self._send, site, effect, request)
        return response

    def _success(self, thanks: str, wants_json: bool, origin: str | None, message: str | None = None) -> Response:
        if wants_json:
            body = {"ok": True, "redirect": thanks}
            if message:
                body["message"] = message
            return self._cors(JSONResponse(body), origin)
        return RedirectResponse(thanks, status_code=303)

    def _refuse(self, status: int, text: str, wants_json: bool, site: Site, origin: str | None) -> Response:
        if wants_json:
            return self._cors(JSONResponse({"ok": False, "error": text}, status_code=status), origin)
        heading = {429: "Te veel verzoeken", 400: "Het formulier kon niet worden gelezen"}.get(status, "Niet toegestaan")
        return self._message_page(site, status, heading, text)

    def _store_failed(self, request: Request, site: Site, form, data: dict, key: str, origin: str, wants_json: bool,
                      started: float, exc: StorageError) -> Response:
        """The database did not take the submission: say so in plain Dutch, keep what was typed.

        The same ``_key`` goes back into the form, so if the write did land after all, trying
        again stores nothing twice.
        """
        self._log("store_failed", site, form.id, 503, started, error=exc.kind)
        retry = {"Retry-After": str(RETRY_AFTER)}
        if wants_json:
            return self._cors(JSONResponse({"ok": False, "error": NOT_STORED}, status_code=503, headers=retry), origin)
        values = {k: v for k, v in data.items() if not k.startswith("_") and k != "website"}
        hidden = {"_key": key, "_ts": self.tokens.form_loaded(site.slug)}
        if data.get("_lid"):
            hidden["_lid"] = data["_lid"][0]
        response = self._page(site, "forms/form_page.html", 503, path=form.path, title=form.title, form=form,
                              action=self._own_url(request, site) + f"{site.slug}/{form.id}",
                              values=values, errors={"_form": NOT_STORED}, hidden=hidden, paper_path=None)
        response.headers.update(retry)
        return response

    # --- what a submission writes --------------------------------------------------------

    def _writer(self, site: Site, form, result, now: float, member_id, profile, data):
        values = result.values
        slug = site.slug
        if form.kind == "aanmelden":
            variables = forms_mod.background(form, values, site.municipality)
            extra = {f.name: values[f.name] for f in form.fields
                     if f.store == "profile" and not f.variable and f.name in values}
            new_profile = {"variables": variables, "birth_year": values.get("geboortejaar"), "extra": extra}
            email = values["email"].strip().lower()
            posted_version = (data.get("_versie") or [""])[0][:32]
            version = posted_version or form.consent_version

            def write(tx):
                row = tx.one("SELECT c.member_id, m.member_id, m.confirmed, m.left_at FROM contacts c "
                             "LEFT JOIN members m ON m.member_id = c.member_id WHERE c.slug = ? AND c.email = ?", (slug, email))
                if row and row[1] is not None and row[3] is None:
                    if row[2] is not None:
                        return None  # already a member: same answer, no new e-mail (no account enumeration)
                    mid = row[0]  # a pending sign-up: the new one replaces it, with a fresh link
                    tx.execute("UPDATE members SET profile = ?, consent_version = ?, created = ? WHERE member_id = ?",
                               (json.dumps(new_profile), version, now, mid))
                    tx.execute("UPDATE contacts SET name = ?, created = ? WHERE member_id = ?", (values["naam"], now, mid))
                    return {"mail": "confirm", "to": values["email"].strip(), "name": values["naam"], "member": mid}
                if row:
                    # Someone who left (their contact data wait for left_members_days) or a contact
                    # without a member: they join as a new member. The old membership keeps its
                    # left date for the register, its answers stay unlinked, and its contact data
                    # go now: the new sign-up holds the same name and address.
                    tx.execute("DELETE FROM contacts WHERE member_id = ?", (row[0],))
                mid = uuid.uuid4().hex
                # Two sign-ups for one address at the same moment (PostgreSQL, several instances):
                # the second waits for the first and then inserts nothing, and gets the same answer.
                tx.execute("INSERT INTO contacts (member_id, slug, email, name, created) VALUES (?, ?, ?, ?, ?) "
                           "ON CONFLICT (slug, email) DO NOTHING", (mid, slug, email, values["naam"], now))
                if tx.rowcount == 0:
                    return None
                tx.execute("INSERT INTO members (member_id, slug, profile, consent_version, created) VALUES (?, ?, ?, ?, ?)",
                           (mid, slug, json.dumps(new_profile), version, now))
                return {"mail": "confirm", "to": values["email"].strip(), "name": values["naam"], "member": mid}
            return write

        if form.kind == "afmelden":
            # Nothing changes yet: a known member (or pending sign-up) gets an e-mail with a signed
            # link, and leaves only by pressing the button behind it (confirm_leave). Whoever asks
            # gets the same answer, known address or not. The reason waits in leave_requests.
            email = values["email"].strip().lower()
            reason = values.get("reden")

            def write(tx):
                tx.execute("DELETE FROM leave_requests WHERE created < ?", (now - LEAVE_MAX_AGE,))
                row = tx.one("SELECT c.member_id, c.name FROM contacts c JOIN members m ON m.member_id = c.member_id "
                             "WHERE c.slug = ? AND c.email = ? AND m.left_at IS NULL", (slug, email))
                if row is None:
                    return None  # unknown, or left already: no e-mail, the same answer
                request_id = None
                if reason:
                    request_id = uuid.uuid4().hex
                    tx.execute("INSERT INTO leave_requests (id, slug, reason, created) VALUES (?, ?, ?, ?)",
                               (request_id, slug, reason, now))
                return {"mail": "leave", "to": values["email"].strip(), "name": row[1], "member": row[0],
                        "request": request_id}
            return write

        if form.kind == "contact":
            fields = {f.name: values.get(f.name) for f in form.fields}

            def write(tx):
                tx.execute("INSERT INTO messages (id, slug, fields, created) VALUES (?, ?, ?, ?)",
                           (uuid.uuid4().hex, slug, json.dumps(fields), now))
                return {"mail": "contact", "fields": fields}
            return write

        # a questionnaire
        if profile is not None:
            background = dict(profile.get("variables") or {})
            if profile.get("birth_year") and "leeftijd" in site.municipality.population.variables:
                background["leeftijd"] = age_category(profile["birth_year"], site.municipality.population.variables["leeftijd"])
        else:
            background = forms_mod.background(form, values, site.municipality)
        answers = {k: v for k, v in result.columns.items() if v is not None}

        def write(tx):
            # An invited member has one response per survey: submitting again corrects it (same
            # respondent_id). Anonymous responses (member_id NULL) are never matched.
            tx.execute("INSERT INTO responses (respondent_id, slug, survey_id, member_id, background, answers, created) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug, survey_id, member_id) WHERE member_id IS NOT NULL "
                       "DO UPDATE SET background = excluded.background, answers = excluded.answers, created = excluded.created",
                       (uuid.uuid4().hex[:16], slug, form.survey.id, member_id, json.dumps(background),
                        json.dumps(answers), now))
            return None
        return write

    def _send(self, site: Site, effect: dict, request: Request) -> None:
        m = site.municipality
        sender = self.mailer.sender or m.contact.email
        try:
            if effect["mail"] == "confirm":
                link = self._own_url(request, site) + f"{site.slug}/bevestigen?t=" + self.tokens.confirmation(site.slug, effect["member"])
                body = (f"Beste {effect['name']},\n\n"
                        f"U hebt zich aangemeld voor {m.panel_name}, het panel van de gemeente {m.name}.\n"
                        f"Bevestig uw aanmelding met deze link:\n\n{link}\n\n"
                        "De link werkt 7 dagen. Hebt u zich niet aangemeld? Dan hoeft u niets te doen:\n"
                        "zonder bevestiging verwijderen we uw gegevens.\n\n"
                        f"Met vriendelijke groet,\n{m.contact.get('department') or m.panel_name}\n")
                self.mailer.send(message(sender, effect["to"], f"Bevestig uw aanmelding voor {m.panel_name}", body))
            elif effect["mail"] == "leave":
                link = (self._own_url(request, site) + f"{site.slug}/{LEAVE_PATH}?t="
                        + self.tokens.leave(site.slug, effect["member"], effect["request"]))
                body = (f"Beste {effect['name']},\n\n"
                        f"U wilt zich afmelden voor {m.panel_name}, het panel van de gemeente {m.name}.\n"
                        f"Bevestig uw afmelding met deze link:\n\n{link}\n\n"
                        "De link werkt 7 dagen. Pas als u op de knop achter de link klikt, bent u afgemeld.\n"
                        "Wilt u zich niet afmelden? Dan hoeft u niets te doen: er verandert niets.\n\n"
                        f"Met vriendelijke groet,\n{m.contact.get('department') or m.panel_name}\n")
                self.mailer.send(message(sender, effect["to"], f"Bevestig uw afmelding voor {m.panel_name}", body))
            elif effect["mail"] == "contact":
                f = effect["fields"]
                body = "\n".join(f"{k}: {v}" for k, v in f.items() if v is not None)
                msg = message(sender, m.contact.email, f"Bericht via het contactformulier van {m.panel_name}", body)
                if f.get("email"):
                    msg["Reply-To"] = f["email"]
                self.mailer.send(msg)
        except Exception as exc:  # noqa: BLE001 - the data are stored; mail failure must not lose them
            log.error(json.dumps({"event": "mail_failed", "slug": site.slug, "kind": effect["mail"],
                                  "error": type(exc).__name__}))

    # --- pages served by the collector ---------------------------------------------------

    async def error_page(self, request: Request) -> Response:
        site = self._site(request)
        form = site.forms.get(request.path_params["form"]) if site else None
        if form is None:
            return PlainTextResponse("Niet gevonden", status_code=404)
        try:
            draft = await run_in_threadpool(self.storage.draft, request.path_params["draft"], site.slug, form.id,
                                            time.time(), DRAFT_MAX_AGE)
        except StorageError as exc:
            self._log("store_failed", site, form.id, 503, time.perf_counter(), error=exc.kind)
            response = self._message_page(site, 503, "Even geduld", "Deze pagina kan nu niet worden getoond. "
                                                                     "Probeer het over een minuut opnieuw.")
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        if draft is None:
            return RedirectResponse(self._site_url(site) + form.path, status_code=303)
        values = draft["values"]
        hidden = {"_key": values.pop("_key", [""])[0], "_ts": self.tokens.form_loaded(site.slug)}
        if values.get("_lid"):
            hidden["_lid"] = values.pop("_lid")[0]
        errors = draft["errors"]
        if "_form" in errors:  # a form-level message first in the summary
            errors = {"_form": errors.pop("_form"), **errors}
        return self._page(site, "forms/form_page.html", path=form.path, title=form.title, form=form,
                          action=self._own_url(request, site) + f"{site.slug}/{form.id}",
                          values=values, errors=errors, hidden=hidden, paper_path=None)

    async def confirm(self, request: Request) -> Response:
        site = self._site(request)
        if site is None:
            return PlainTextResponse("Niet gevonden", status_code=404)
        if request.method == "GET":
            token = request.query_params.get("t", "")
            valid = self.tokens.confirmed_member(token, site.slug) is not None
            return self._page(site, "forms/confirm.html", path="bevestigen/",
                              title="Bevestig uw aanmelding" if valid else "Deze link werkt niet meer",
                              heading="Bevestig uw aanmelding" if valid else "Deze link werkt niet meer",
                              text=("Klik op de knop om uw aanmelding voor " + site.municipality.panel_name + " te bevestigen."
                                    if valid else "De link is verlopen of niet juist. Een link werkt 7 dagen. Meld u opnieuw aan."),
                              action=(self._own_url(request, site) + f"{site.slug}/bevestigen") if valid else None,
                              token=token)
        started = time.perf_counter()
        token = await self._posted_token(request, site)
        if not isinstance(token, str):
            return token
        member_id = self.tokens.confirmed_member(token, site.slug)
        try:
            ok = member_id is not None and await run_in_threadpool(self.storage.confirm, site.slug, member_id, time.time())
        except StorageError as exc:
            self._log("store_failed", site, "aanmelden", 503, started, error=exc.kind)
            # The same page and button again: the link stays valid, so pressing it later works.
            response = self._page(site, "forms/confirm.html", 503, path="bevestigen/", title="Bevestig uw aanmelding",
                                  heading="Bevestig uw aanmelding",
                                  text="Uw bevestiging is nog niet opgeslagen. Probeer het over een minuut opnieuw.",
                                  action=self._own_url(request, site) + f"{site.slug}/bevestigen", token=token)
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        self._log("confirmed" if ok else "confirm_failed", site, "aanmelden", 303, started)
        return RedirectResponse(self._site_url(site) + (forms_mod.CONFIRMED_PATH if ok else forms_mod.EXPIRED_PATH),
                                status_code=303)

    async def _posted_token(self, request: Request, site: Site) -> str | Response:
        """The signed token a confirmation button posts (``t``), or the page for a body that cannot be read."""
        try:
            async with request.form(max_fields=5) as posted:
                return str(posted.get("t", ""))
        except HTTPException as exc:
            if exc.status_code != 400:
                raise
            return self._message_page(site, 400, "Het formulier kon niet worden gelezen", UNREADABLE)

    def _leave_page(self, request: Request, site: Site, token: str, status: int = 200, text: str | None = None):
        panel = site.municipality.panel_name
        return self._page(site, "forms/confirm.html", status, path=LEAVE_PATH + "/", title="Bevestig uw afmelding",
                          heading="Bevestig uw afmelding",
                          text=text or f"Klik op de knop om u af te melden voor {panel}.",
                          action=self._own_url(request, site) + f"{site.slug}/{LEAVE_PATH}", token=token,
                          button="Ja, meld mij af")

    def _leave_expired(self, site: Site, status: int = 200) -> HTMLResponse:
        return self._page(site, "forms/confirm.html", status, path=LEAVE_PATH + "/", title="Deze link werkt niet meer",
                          heading="Deze link werkt niet meer",
                          text="De link is verlopen of niet juist. Een link werkt 7 dagen. Vraag een nieuwe link aan: "
                               "vul uw e-mailadres nog een keer in.",
                          action=None, retry={"path": "afmelden/", "text": "Vraag een nieuwe link aan"})

    def _already_left(self, site: Site) -> HTMLResponse:
        return self._message_page(site, 200, "U bent al afgemeld",
                                  "U hebt uw afmelding al bevestigd. U hoeft niets meer te doen. "
                                  "U krijgt geen uitnodigingen meer.")

    async def confirm_leave(self, request: Request) -> Response:
        """The link in the leave e-mail: GET shows a button (a mail scanner that opens the link
        changes nothing), its POST leaves the panel. A replayed link says it is done already."""
        site = self._site(request)
        if site is None:
            return PlainTextResponse("Niet gevonden", status_code=404)
        if request.method == "GET":
            token = request.query_params.get("t", "")
            leaving = self.tokens.leaving_member(token, site.slug)
            if leaving is None:
                return self._leave_expired(site)
            try:
                current = await run_in_threadpool(self.storage.in_panel, site.slug, leaving[0])
            except StorageError:
                current = True  # show the button: pressing it later works
            return self._leave_page(request, site, token) if current else self._already_left(site)
        started = time.perf_counter()
        token = await self._posted_token(request, site)
        if not isinstance(token, str):
            return token
        leaving = self.tokens.leaving_member(token, site.slug)
        if leaving is None:
            self._log("leave_failed", site, "afmelden", 400, started)
            return self._leave_expired(site, 400)
        now = time.time()
        left_days = site.municipality.privacy.retention.left_members_days
        try:
            outcome = await run_in_threadpool(self.storage.leave, site.slug, leaving[0], leaving[1], now, left_days,
                                              _day(now))
        except StorageError as exc:
            self._log("store_failed", site, "afmelden", 503, started, error=exc.kind)
            response = self._leave_page(request, site, token, 503,
                                        "Uw afmelding is nog niet opgeslagen. Probeer het over een minuut opnieuw.")
            response.headers["Retry-After"] = str(RETRY_AFTER)
            return response
        self._log("left" if outcome != "already" else "already_left", site, "afmelden", 200, started)
        if outcome == "already":
            return self._already_left(site)
        contact = ("We hebben uw naam en e-mailadres verwijderd." if outcome == "deleted" else
                   f"We verwijderen uw naam en e-mailadres binnen {left_days} dagen.")
        return self._page(site, "forms/thanks.html", path=LEAVE_PATH + "/", title="U bent afgemeld",
                          heading="U bent afgemeld",
                          paragraphs=[f"{contact} U krijgt geen uitnodigingen meer. Uw eerdere antwoorden blijven "
                                      "bewaard, maar zijn niet meer aan u gekoppeld.", "Bedankt dat u hebt meegedaan."],
                          links=[{"path": "", "text": f"Naar de startpagina van {site.municipality.panel_name}"}])

    async def export(self, request: Request) -> Response:
        site = self._site(request)
        if site is None or not self.export_token:
            return PlainTextResponse("Niet gevonden", status_code=404)
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.export_token}".encode()):
            return PlainTextResponse("Niet toegestaan", status_code=401, headers={"WWW-Authenticate": "Bearer"})
        what = request.path_params["what"]
        try:
            text = await run_in_threadpool(export_csv, self.storage, site, what)
        except KeyError:
            return PlainTextResponse("Niet gevonden", status_code=404)
        except StorageError as exc:
            self._log("store_failed", site, "export", 503, time.perf_counter(), error=exc.kind)
            return PlainTextResponse("De database is nu niet bereikbaar. Probeer het over een minuut opnieuw.",
                                     status_code=503, headers={"Retry-After": str(RETRY_AFTER)})
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{site.slug}-{what}.csv"', "Cache-Control": "no-store"})


def export_csv(storage: Storage, site: Site, what: str) -> str:
    """``members`` or a survey id; KeyError for anything else."""
    if what == "members":
        return export_mod.members_csv(storage, site.municipality, site.extra_profile)
    for survey in site.surveys:
        if survey.id == what:
            return export_mod.responses_csv(storage, site.municipality, survey)
    raise KeyError(what)


def _submission_key(data: dict) -> str:
    key = (data.get("_key") or [""])[0].strip()
    if 8 <= len(key) <= 64 and set(key) <= KEY_CHARS:
        return key
    return uuid.uuid4().hex  # no JavaScript: no key from the page, so no retry protection either


def _day(timestamp: float) -> float:
    """Reasons for leaving keep only the day, so they cannot be matched to the moment someone left."""
    day = _dt.datetime.fromtimestamp(timestamp, _dt.timezone.utc).date()
    return _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc).timestamp()
