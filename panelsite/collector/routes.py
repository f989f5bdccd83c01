"""The collector's routes: each reads the request, calls storage or a page, and answers.

The table of paths is in app.py; a form post goes on to submissions.py.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import time
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from panelsite import forms as forms_mod
from panelsite.collector import submissions
from panelsite.collector.export import export_csv
from panelsite.collector.headers import security_headers
from panelsite.collector.pages import SERVER_ERROR, UNREADABLE
from panelsite.collector.retention import periods
from panelsite.collector.security import token_matches
from panelsite.collector.service import Collector
from panelsite.collector.sites import FormSite
from panelsite.collector.storage import StorageError
from panelsite.surveys import fieldwork

log = logging.getLogger("panelsite.collector")
NOT_FOUND = "Niet gevonden"
EXPORT_FAILURES = (5, 900)  # wrong export tokens per client and municipality, per 15 minutes


def _collector(request: Request) -> Collector:
    return request.app.state.collector


async def healthz(request: Request) -> Response:
    # A write, not a read: a full disk or a read-only database still answers reads,
    # and a load balancer must stop sending residents here then.
    c = _collector(request)
    try:
        await run_in_threadpool(c.storage.heartbeat, time.time())
    except Exception as exc:  # noqa: BLE001 - report, do not crash
        detail = exc.kind if isinstance(exc, StorageError) else type(exc).__name__
        return JSONResponse({"status": "error", "detail": detail}, status_code=503, headers={"Cache-Control": "no-store"})
    return JSONResponse({"status": "ok", "sites": sorted(c.sites)}, headers={"Cache-Control": "no-store"})


async def token(request: Request) -> Response:
    """A signed "form loaded" timestamp for forms.js (the minimum fill time)."""
    c = _collector(request)
    site = c.site(request)
    if site is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    origin = c.urls.allowed_origin(request, site)
    if request.method == "OPTIONS":
        return c.cors(Response(status_code=204 if origin else 403), origin)
    response = JSONResponse({"token": c.tokens.form_loaded(site.slug)}, headers={"Cache-Control": "no-store"})
    return c.cors(response, origin)


async def form(request: Request) -> Response:
    """GET: the form as a page of the site (``?lid=`` for an invited member); POST: a submission."""
    c = _collector(request)
    site = c.site(request)
    the_form = site.forms.get(request.path_params["form"]) if site else None
    if the_form is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    if request.method == "OPTIONS":
        origin = c.urls.allowed_origin(request, site)
        return c.cors(Response(status_code=204 if origin else 403), origin)
    if request.method == "GET":
        if the_form.kind == "vragenlijst" and fieldwork.is_closed(the_form.survey, fieldwork.now()):
            return c.pages.closed(site, the_form)  # an invitation opened after the closing time
        member = request.query_params.get("lid", "")
        hidden = {"_ts": c.tokens.form_loaded(site.slug), "_key": str(uuid.uuid4())}
        if member and c.tokens.member_id(member, site.slug):
            hidden["_lid"] = member
        return c.pages.form(site, the_form, c.urls.form_action(site, the_form.id), hidden)
    return await submissions.submit(c, request, site, the_form)


async def error_page(request: Request) -> Response:
    """The form again with what the resident typed and the messages (a post without JavaScript)."""
    c = _collector(request)
    site = c.site(request)
    the_form = site.forms.get(request.path_params["form"]) if site else None
    if the_form is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    try:
        draft = await run_in_threadpool(c.storage.draft, request.path_params["draft"], site.slug, the_form.id, time.time())
    except StorageError as exc:
        c.log("store_failed", site, the_form.id, 503, time.perf_counter(), error=exc.kind)
        return c.pages.retry_later(c.pages.message(site, 503, "Even geduld", "Deze pagina kan nu niet worden getoond. "
                                                                            "Probeer het over een minuut opnieuw."))
    if draft is None:
        return RedirectResponse(c.urls.site(site) + the_form.path, status_code=303)
    values = draft["values"]
    # The timestamp the form came with (or the collector's, for a form that had none): reloading the
    # page or correcting one field does not start the minimum fill time again.
    hidden = draft.get("hidden") or {"_key": values.pop("_key", [""])[0], "_ts": c.tokens.form_loaded(site.slug)}
    if values.get("_lid"):  # a draft from before hidden fields were kept apart
        hidden["_lid"] = values.pop("_lid")[0]
    errors = draft["errors"]
    if "_form" in errors:  # a form-level message first in the summary
        errors = {"_form": errors.pop("_form"), **errors}
    return c.pages.form(site, the_form, c.urls.form_action(site, the_form.id), hidden, values, errors)


async def confirm_signup(request: Request) -> Response:
    """The link in the sign-up mail: GET shows a button, its POST confirms."""
    c = _collector(request)
    site = c.site(request)
    if site is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    if request.method == "GET":
        link_token = request.query_params.get("t", "")
        valid = c.tokens.confirmed_member(link_token, site.slug) is not None
        return c.pages.confirm_signup(site, c.urls.confirm_signup(site) if valid else None, link_token)
    started = time.perf_counter()
    link_token = await _posted_token(c, request, site)
    if not isinstance(link_token, str):
        return link_token
    member_id = c.tokens.confirmed_member(link_token, site.slug)
    try:
        ok = member_id is not None and await run_in_threadpool(c.storage.confirm, site.slug, member_id, time.time())
    except StorageError as exc:
        c.log("store_failed", site, "aanmelden", 503, started, error=exc.kind)
        return c.pages.signup_not_stored(site, c.urls.confirm_signup(site), link_token)
    c.log("confirmed" if ok else "confirm_failed", site, "aanmelden", 303, started)
    return RedirectResponse(c.urls.site(site) + (forms_mod.CONFIRMED_PATH if ok else forms_mod.EXPIRED_PATH),
                            status_code=303)


async def confirm_leave(request: Request) -> Response:
    """The link in the leave mail: GET shows a button (a mail scanner that opens the link
    changes nothing), its POST leaves the panel. A replayed link says it is done already."""
    c = _collector(request)
    site = c.site(request)
    if site is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    if request.method == "GET":
        link_token = request.query_params.get("t", "")
        leaving = c.tokens.leaving_member(link_token, site.slug)
        if leaving is None:
            return c.pages.leave_link_expired(site)
        try:
            current = await run_in_threadpool(c.storage.in_panel, site.slug, leaving[0])
        except StorageError:
            current = True  # show the button: pressing it later works
        if not current:
            return c.pages.already_left(site)
        return c.pages.confirm_leave(site, c.urls.confirm_leave(site), link_token)
    started = time.perf_counter()
    link_token = await _posted_token(c, request, site)
    if not isinstance(link_token, str):
        return link_token
    leaving = c.tokens.leaving_member(link_token, site.slug)
    if leaving is None:
        c.log("leave_failed", site, "afmelden", 400, started)
        return c.pages.leave_link_expired(site, 400)
    now = time.time()
    left_days = periods(site.municipality).left_members_days
    try:
        outcome = await run_in_threadpool(c.storage.leave, site.slug, leaving[0], leaving[1], now, left_days, _day(now))
    except StorageError as exc:
        c.log("store_failed", site, "afmelden", 503, started, error=exc.kind)
        return c.pages.leave_not_stored(site, c.urls.confirm_leave(site), link_token)
    c.log("left" if outcome != "already" else "already_left", site, "afmelden", 200, started)
    if outcome == "already":
        return c.pages.already_left(site)
    return c.pages.left(site, outcome, left_days)


async def unsubscribe(request: Request) -> Response:
    """The one-click leave link of a panel mailing (``List-Unsubscribe``, RFC 8058).

    A mail program POSTs ``List-Unsubscribe=One-Click`` to it, without cookies and without
    following any page: that POST leaves the panel at once. The link opened in a browser (GET)
    shows a button that posts the same, so a link scanner that fetches it changes nothing.
    """
    c = _collector(request)
    site = c.site(request)
    if site is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    link_token = request.query_params.get("t", "")
    if request.method == "GET":
        if c.tokens.unsubscribing_member(link_token, site.slug) is None:
            return c.pages.unsubscribe_link_expired(site)
        return c.pages.unsubscribe(site, c.urls.unsubscribe(site, link_token), link_token)
    started = time.perf_counter()
    if not link_token:  # the button of the page above posts it in the body
        posted = await _posted_token(c, request, site)
        if not isinstance(posted, str):
            return posted
        link_token = posted
    member_id = c.tokens.unsubscribing_member(link_token, site.slug)
    if member_id is None:
        c.log("unsubscribe_failed", site, "afmelden", 400, started)
        return c.pages.unsubscribe_link_expired(site, 400)
    now = time.time()
    left_days = periods(site.municipality).left_members_days
    try:
        outcome = await run_in_threadpool(c.storage.leave, site.slug, member_id, None, now, left_days, _day(now))
    except StorageError as exc:
        c.log("store_failed", site, "afmelden", 503, started, error=exc.kind)
        return c.pages.retry_later(c.pages.message(site, 503, "Even geduld", "Uw afmelding is nog niet opgeslagen. "
                                                                            "Probeer het over een minuut opnieuw."))
    c.log("left" if outcome != "already" else "already_left", site, "afmelden", 200, started, via="one-click")
    if outcome == "already":
        return c.pages.already_left(site)
    return c.pages.left(site, outcome, left_days)


async def _posted_token(c: Collector, request: Request, site: FormSite) -> str | Response:
    """The signed token a confirmation button posts (``t``), or the page for a body that cannot be read."""
    try:
        async with request.form(max_fields=5) as posted:
            return str(posted.get("t", ""))
    except HTTPException as exc:
        if exc.status_code != 400:
            raise
        return c.pages.message(site, 400, "Het formulier kon niet worden gelezen", UNREADABLE)


async def export(request: Request) -> Response:
    """CSV for administrators: ``Authorization: Bearer <the municipality's export token>``.

    Wrong tokens are counted per client and municipality: after ``EXPORT_FAILURES`` in a window
    every request waits for the next window (429), the right token too, so guessing on finds
    nothing. Each refusal is logged, never the token.
    """
    c = _collector(request)
    site = c.site(request)
    expected = c.export_tokens.get(site.slug) if site else None
    if expected is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    started = time.perf_counter()
    failures = c.rate(request, site, EXPORT_FAILURES, purpose="\0export")
    try:
        if await run_in_threadpool(c.storage.hits, failures) >= failures.limit:
            c.log("export_refused", site, "export", 429, started)
            return PlainTextResponse("Te veel verkeerde pogingen. Probeer het later opnieuw.", status_code=429,
                                     headers={"Retry-After": str(EXPORT_FAILURES[1])})
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token_matches(given.strip(), expected):
            await run_in_threadpool(c.storage.hit, failures)
            c.log("export_refused", site, "export", 401, started)
            return PlainTextResponse("Niet toegestaan", status_code=401, headers={"WWW-Authenticate": "Bearer"})
    except StorageError as exc:
        c.log("store_failed", site, "export", 503, started, error=exc.kind)
        return PlainTextResponse("De database is nu niet bereikbaar. Probeer het over een minuut opnieuw.",
                                 status_code=503, headers={"Retry-After": "60"})
    what = request.path_params["what"]
    try:
        text = await run_in_threadpool(export_csv, c.storage, site, what)
    except KeyError:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    except StorageError as exc:
        c.log("store_failed", site, "export", 503, time.perf_counter(), error=exc.kind)
        return PlainTextResponse("De database is nu niet bereikbaar. Probeer het over een minuut opnieuw.",
                                 status_code=503, headers={"Retry-After": "60"})
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{site.slug}-{what}.csv"',
                             "Cache-Control": "no-store"})


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything unforeseen: a Dutch page instead of Starlette's English one; only the class is logged."""
    c = _collector(request)
    log.error(json.dumps({"event": "server_error", "path_slug": request.path_params.get("slug"),
                          "error": type(exc).__name__}))
    site = c.site(request)
    if "application/json" in request.headers.get("accept", "") or site is None:
        origin = c.urls.allowed_origin(request, site) if site else None
        response = c.cors(JSONResponse({"ok": False, "error": SERVER_ERROR}, status_code=500), origin)
    else:
        response = c.pages.message(site, 500, "Er ging iets mis", SERVER_ERROR)
    # Starlette answers this outside the middleware stack, so the headers are added here.
    response.headers.update(security_headers(c.urls.content_security_policy(site)))
    return response


def _day(timestamp: float) -> float:
    """Reasons for leaving keep only the day, so they cannot be matched to the moment someone left."""
    day = _dt.datetime.fromtimestamp(timestamp, _dt.timezone.utc).date()
    return _dt.datetime(day.year, day.month, day.day, tzinfo=_dt.timezone.utc).timestamp()
