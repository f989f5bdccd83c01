"""Exports: ``responses.csv`` exactly as the results pipeline reads it, and the member list.

responses: ``respondent_id``, the background variables named as in
``population`` (leeftijd, geslacht, wijk), then the question columns in
survey order (a multi question as ``q3_1 … q3_n`` with 0/1). UTF-8, comma.
members: ``member_id``, background variables, extra profile fields, ``joined``
and ``left`` dates; confirmed members only, never names or e-mail addresses.

The export command (collector/commands.py) writes what respondents typed themselves (open
answers, free-text sign-up fields) to the git-ignored private folder instead (see
panelsite/surveys/private.py): responses.csv then holds 1 for an open question answered.

Every cell that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-`` or ``@``) is prefixed with ``'``; negative numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FREE_TEXT = ("text", "textarea")  # sign-up fields whose value a member types: private (surveys/private.py)


def neutralise(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
        return text
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return out.getvalue()


def export_csv(storage, site, what: str) -> str:
    """``members`` or a survey id of a :class:`~panelsite.collector.sites.FormSite`; KeyError for anything else."""
    if what == "members":
        return members_csv(storage, site.municipality, site.extra_profile)
    return responses_csv(storage, site.municipality, site.survey(what))


def responses_csv(storage, municipality, survey, open_answers: list | None = None) -> str:
    """responses.csv; with ``open_answers`` (a list) an open question's column says only whether it
    was answered (1) and its texts go to that list as rows of ``surveys.private.OPEN_ANSWERS``."""
    variables = list(municipality.population.variables)
    columns = [c for q in survey.questions for c in q.columns]
    texts = {q.id: q.id for q in survey.questions if q.type == "open"} if open_answers is not None else {}
    rows = []
    for respondent_id, background, answers, _created in storage.responses(municipality.slug, survey.id):
        cells = []
        for c in columns:
            value = answers.get(c)
            if c in texts and value not in (None, ""):
                open_answers.append([neutralise(respondent_id), texts[c], c, neutralise(value)])
                value = 1
            cells.append(value)
        rows.append([respondent_id, *(background.get(v) for v in variables), *cells])
    return _csv(["respondent_id", *variables, *columns], rows)


def members_csv(storage, municipality, extra_fields: list[str] = (), free_text: list | None = None,
                text_fields: tuple[str, ...] = ()) -> str:
    """The member list; with ``free_text`` (a list) the ``text_fields`` (what members typed themselves)
    are left out and go to that list as rows of ``surveys.private.MEMBER_TEXTS``."""
    variables = list(municipality.population.variables)
    private = set(text_fields) if free_text is not None else set()
    shown = [n for n in extra_fields if n not in private]
    rows = []
    for member_id, profile, confirmed, left in storage.members(municipality.slug):
        values = profile.get("variables", {})
        extra = profile.get("extra", {})
        for name in extra_fields:
            if name in private and extra.get(name) not in (None, "", []):
                free_text.append([neutralise(member_id), name, neutralise(_extra(extra[name]))])
        rows.append([member_id, *(values.get(v) for v in variables), *(_extra(extra.get(n)) for n in shown),
                     _date(confirmed), _date(left)])
    return _csv(["member_id", *variables, *shown, "joined", "left"], rows)


def _extra(value):
    return ";".join(str(v) for v in value) if isinstance(value, list) else value


def _date(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return _dt.datetime.fromtimestamp(timestamp, _dt.timezone.utc).date().isoformat()


def export_files(storage, site, what: str, root) -> tuple[str, object, bytes | None, int]:
    """What ``python build.py export`` writes: the CSV (responses.csv or the member list) and the
    private file with the texts respondents typed, as (csv, private path, its bytes or None when the
    survey or sign-up form asks for no text, how many texts). KeyError for an unknown survey id."""
    from panelsite.surveys import private

    if what == "members":
        fields = tuple(f.name for f in site.forms["aanmelden"].fields
                       if f.name in site.extra_profile and f.type in FREE_TEXT)
        texts: list = []
        text = members_csv(storage, site.municipality, site.extra_profile, texts, fields)
        data = private.table(private.MEMBER_TEXTS, texts) if fields else None
        return text, private.member_texts_path(root, site.slug), data, len(texts)
    survey = site.survey(what)  # KeyError for an unknown id
    texts = []
    text = responses_csv(storage, site.municipality, survey, texts)
    data = private.table(private.OPEN_ANSWERS, texts) if any(q.type == "open" for q in survey.questions) else None
    return text, private.open_answers_path(root, site.slug, survey.id), data, len(texts)
