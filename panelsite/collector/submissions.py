"""A form post, from the request to the answer.

Origin check → a questionnaire past its closing time: 410, nothing read or stored → read the body → honeypot → minimum fill time → validation (the same Field
rules as forms.js) → one transaction holding the rate count, the idempotency key and the
change (:mod:`storage.membership`) → the answer: 303 to the site's thank-you page, or JSON
for ``fetch``. A submission is acknowledged only after it is committed.

The minimum fill time always rests on a timestamp the collector signed (``_ts``): forms.js
fetches one when the page loads, and the collector's own pages carry one. A post without it (a
form on the site, without JavaScript) is not stored at once: it comes back with what was typed
and a timestamp marked ``review``, and the second post is stored. A form sent back with
mistakes keeps the timestamp it came with, so correcting one field is never "too fast".
"""

from __future__ import annotations

import functools
import secrets
import time
import uuid
from urllib.parse import unquote_plus

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from panelsite import forms as forms_mod
from panelsite.collector.pages import (
    ANSWERED_BEFORE,
    LEAVE_MAIL_SENT,
    NOT_FROM_HERE,
    NOT_STORED,
    RETRY_AFTER,
    TOO_MANY,
    UNREADABLE,
)
from panelsite.collector.security import request_origin
from panelsite.collector.service import Collector
from panelsite.collector.sites import FormSite
from panelsite.collector.storage import Change, ContactMessage, LeaveRequest, SignUp, StorageError
from panelsite.collector.storage import Response as Answers
from panelsite.forms.background import age_category
from panelsite.forms.model import Form
from panelsite.surveys import fieldwork

MAX_BODY = 64 * 1024
MAX_FIELDS = 300
KEY_CHARS = set("0123456789abcdefABCDEF-")
# A form sent back to be checked holds the answers already: pressing the button again takes a
# person a second at least, a script no time.
REVIEW_SECONDS = 1.0


async def submit(c: Collector, request: Request, site: FormSite, form: Form) -> Response:
    started = time.perf_counter()
    wants_json = "application/json" in request.headers.get("accept", "")
    origin = c.urls.allowed_origin(request, site)
    if origin is None:
        c.log("refused_origin", site, form.id, 403, started)
        # The refusal itself may be read by the page that sent it: it tells nothing but "not from here".
        return c.refuse(403, NOT_FROM_HERE, wants_json, site, request_origin(request.headers))
    if form.kind == "vragenlijst" and fieldwork.is_closed(form.survey, fieldwork.now()):
        c.log("closed", site, form.id, 410, started)
        if wants_json:
            return c.cors(JSONResponse({"ok": False, "closed": True, "error": c.pages.closed_text(form.survey)},
                                       status_code=410), origin)
        return c.pages.closed(site, form)
    try:
        data = await read_form(request)
    except HTTPException as exc:
        if exc.status_code != 400:
            raise
        # Starlette's own texts ("Too many fields", "Missing boundary …") are English and technical.
        c.log("unreadable", site, form.id, 400, started)
        return c.refuse(400, UNREADABLE, wants_json, site, origin)
    key = submission_key(data)
    try:
        return await _store(c, request, site, form, data, key, origin, wants_json, started)
    except StorageError as exc:
        return _store_failed(c, site, form, data, key, origin, wants_json, started, exc)


async def read_form(request: Request) -> dict[str, list[str]]:
    """The posted fields, name → values; HTTPException 400 for a body that cannot be read.

    A URL-encoded body (what every form and forms.js send) is split here, as Starlette's parser
    and ``urllib.parse.parse_qsl`` would and at a fraction of their cost; multipart goes to Starlette.
    """
    data: dict[str, list[str]] = {}
    if request.headers.get("content-type", "").split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
        text = (await request.body()).decode("latin-1")  # at most MAX_BODY: the app's max_body_size
        if text.count("&") >= MAX_FIELDS:
            raise HTTPException(400, "Too many fields")
        for part in text.split("&"):
            if part:
                name, _, value = part.partition("=")
                data.setdefault(_unquote(name), []).append(_unquote(value))
        return data
    async with request.form(max_fields=MAX_FIELDS, max_part_size=MAX_BODY) as posted:
        for name, value in posted.multi_items():
            if isinstance(value, str):
                data.setdefault(name, []).append(value)
    return data


def _unquote(text: str) -> str:
    return unquote_plus(text) if "%" in text or "+" in text else text


def check_time(c: Collector, site: FormSite, form: Form, data: dict) -> tuple[str | None, str | None]:
    """(what is wrong: None, "unchecked", "expired" or "too_fast"; the timestamp the form goes back with,
    or None: a fresh one, signed only when the form does go back).

    The same timestamp goes back as long as it is valid: the time since the form was shown only
    grows, so sending the form again after correcting it is never too fast. ``--min-seconds 0``
    turns the check off.
    """
    posted = (data.get("_ts") or [""])[0]
    if c.min_seconds <= 0:
        return None, posted or None  # signed only if the form goes back: a stored one needs none
    stamp = c.tokens.stamp(posted, site.slug) if posted else None
    if stamp is None:
        return ("expired" if posted else "unchecked"), c.tokens.form_loaded(site.slug, review=True)
    needed = min(REVIEW_SECONDS, c.min_seconds) if stamp.review else c.min_seconds
    return ("too_fast" if stamp.age < needed else None), posted


async def _store(c: Collector, request: Request, site: FormSite, form: Form, data: dict, key: str, origin: str,
                 wants_json: bool, started: float) -> Response:
    thanks = c.urls.site_base(site, origin) + form.thanks_path
    said = LEAVE_MAIL_SENT if form.kind == "afmelden" else None

    if any(v.strip() for v in data.get("website", [])):  # honeypot: act as if all went well
        c.log("honeypot", site, form.id, 200 if wants_json else 303, started)
        return _success(c, thanks, wants_json, origin, said)

    rate = c.rate(request, site)
    too_soon, stamp = check_time(c, site, form, data)

    member_id, profile = None, None
    if form.kind == "vragenlijst" and data.get("_lid"):
        member_id = c.tokens.member_id(data["_lid"][0], site.slug)
        if member_id:
            profile = await run_in_threadpool(c.storage.member, site.slug, member_id)
            if profile is None:
                member_id = None

    result = forms_mod.validate(form, data, skip_background=profile is not None)
    errors = dict(result.errors)
    # "Check your answers" only when there is nothing else to correct; the new timestamp goes back either way.
    if too_soon and not (too_soon == "unchecked" and errors):
        errors = {"_form": form.fields[0].message(too_soon), **errors}
    if errors:
        stamp = stamp or c.tokens.form_loaded(site.slug)
        allowed = await c.storage.hit_async(rate)
        if not allowed:
            c.log("rate_limited", site, form.id, 429, started)
            return c.refuse(429, TOO_MANY, wants_json, site, origin)
        # A request with characters no keyboard types is no mistake of a resident: 400.
        status = 400 if result.refused else 422
        c.log("invalid", site, form.id, status if wants_json or result.refused else 303, started,
              fields=sorted(errors))  # names of the fields only, never what was typed
        if wants_json:
            return c.cors(JSONResponse({"ok": False, "errors": errors, "token": stamp}, status_code=status), origin)
        values = typed(data, result.refused)
        hidden = _hidden(data, key, stamp)
        if result.refused:  # not kept in a draft: the form again at once, without those characters
            return c.pages.form(site, form, c.urls.form_action(site, form.id), hidden, values, errors, status=400)
        draft = secrets.token_urlsafe(18)
        await run_in_threadpool(c.storage.save_draft, draft, site.slug, form.id,
                                {"values": values, "hidden": hidden, "errors": errors, "origin": origin}, time.time())
        return RedirectResponse(c.urls.error_page(site, form.id, draft), status_code=303)

    now = time.time()
    change = change_for(site, form, result, now, member_id, profile)
    outcome, mail_id = await c.storage.submit_async(site.slug, form.id, key, now, rate, change)
    if outcome == "limited":
        c.log("rate_limited", site, form.id, 429, started)
        return c.refuse(429, TOO_MANY, wants_json, site, origin)
    if outcome == "answered":  # a member's second answers: the first ones count
        c.log("answered_before", site, form.id, 409, started)
        if wants_json:
            return c.cors(JSONResponse({"ok": False, "error": ANSWERED_BEFORE}, status_code=409), origin)
        return c.pages.answered_before(site, form)
    c.log("stored" if outcome == "stored" else "duplicate", site, form.id, 200 if wants_json else 303, started)
    if mail_id is not None:
        await c.mail_queued(mail_id)
    return _success(c, thanks, wants_json, origin, said)


def change_for(site: FormSite, form: Form, result, now: float, member_id: str | None, profile: dict | None) -> Change:
    """What a valid submission of ``form`` writes."""
    values = result.values
    m = site.municipality
    if form.kind == "aanmelden":
        extra = {f.name: values[f.name] for f in form.fields if f.store == "profile" and not f.variable and f.name in values}
        new_profile = {"variables": forms_mod.background(form, values, m), "birth_year": values.get("geboortejaar"),
                       "extra": extra}
        # The consent version is the form's current one: never a posted field, which anyone can write.
        return SignUp(site.slug, values["email"], values["naam"], new_profile, form.consent_version, now,
                      mails_per_day=m.mail.confirmations_per_day)
    if form.kind == "afmelden":
        return LeaveRequest(site.slug, values["email"], values.get("reden"), now,
                            mails_per_day=m.mail.confirmations_per_day)
    if form.kind == "contact":
        return ContactMessage(site.slug, {f.name: values.get(f.name) for f in form.fields}, now)
    # a questionnaire
    if profile is not None:
        background = dict(profile.get("variables") or {})
        if profile.get("birth_year") and "leeftijd" in m.population.variables:
            background["leeftijd"] = age_category(profile["birth_year"], m.population.variables["leeftijd"])
    else:
        background = forms_mod.background(form, values, m)
    answers = {k: v for k, v in result.columns.items() if v is not None}
    return Answers(site.slug, form.survey.id, member_id, background, answers, now)


def typed(data: dict, refused: set = frozenset()) -> dict:
    """What the resident typed, to show again: no hidden fields, the honeypot or refused values."""
    return {k: v for k, v in data.items() if not k.startswith("_") and k != "website" and k not in refused}


def _hidden(data: dict, key: str, stamp: str) -> dict:
    hidden = {"_key": key, "_ts": stamp}
    if data.get("_lid"):
        hidden["_lid"] = data["_lid"][0]
    return hidden


def _success(c: Collector, thanks: str, wants_json: bool, origin: str | None, message: str | None = None) -> Response:
    if wants_json:
        return c.cors(Response(_success_body(thanks, message), media_type="application/json"), origin)
    return RedirectResponse(thanks, status_code=303)


@functools.lru_cache(maxsize=1024)  # a thank-you page per form and origin: a handful per site
def _success_body(thanks: str, message: str | None) -> bytes:
    body = {"ok": True, "redirect": thanks}
    if message:
        body["message"] = message
    return JSONResponse(body).body


def _store_failed(c: Collector, site: FormSite, form: Form, data: dict, key: str, origin: str, wants_json: bool,
                  started: float, exc: StorageError) -> Response:
    """The database did not take the submission: say so in plain Dutch, keep what was typed.

    The same ``_key`` goes back into the form, so if the write did land after all, trying
    again stores nothing twice; so does the timestamp, so trying again is not too fast.
    """
    c.log("store_failed", site, form.id, 503, started, error=exc.kind)
    if wants_json:
        return c.cors(JSONResponse({"ok": False, "error": NOT_STORED}, status_code=503,
                                   headers={"Retry-After": str(RETRY_AFTER)}), origin)
    stamp = (data.get("_ts") or [""])[0] or c.tokens.form_loaded(site.slug, review=True)
    return c.pages.retry_later(c.pages.form(site, form, c.urls.form_action(site, form.id), _hidden(data, key, stamp),
                                            typed(data), {"_form": NOT_STORED}, status=503))


def submission_key(data: dict) -> str:
    key = (data.get("_key") or [""])[0].strip()
    if 8 <= len(key) <= 64 and set(key) <= KEY_CHARS:
        return key
    return uuid.uuid4().hex  # no JavaScript: no key from the page, so no retry protection either
