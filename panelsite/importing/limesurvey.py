"""LimeSurvey CSV exports (Responses → Export → CSV).

Headings can be question codes (``q1``, ``q3[SQ001]`` for a subquestion, ``q3[other]`` for
an "other" text), full question texts (``Question text [Subquestion]``) or texts cut off after
some characters (``Hoe tevreden b.. ``); answers can be codes ("short": ``A1``, ``Y`` for a
ticked box, empty for an unticked one) or answer texts ("long": the label, ``Yes``/``No``).
The first columns are LimeSurvey's own (``id``, ``submitdate``, ``lastpage``,
``startlanguage``, ``seed``, ``token``, dates, ``ipaddr``, ``refurl``); an empty
``submitdate`` means the respondent did not finish.
"""

from __future__ import annotations

import datetime as _dt
import re

import numpy as np

from panelsite.importing.table import IDENTIFYING, METADATA, OTHER_TEXT, MultiSet, SourceTable, from_records

FIELDS = {
    "id": (IDENTIFYING, "LimeSurvey's own respondent id"),
    "submitdate": (METADATA, "when the response was submitted"),
    "lastpage": (METADATA, "the last page the respondent saw"),
    "startlanguage": (METADATA, "the respondent's language"),
    "seed": (METADATA, "LimeSurvey's randomisation seed"),
    "startdate": (METADATA, "when the respondent started"),
    "datestamp": (METADATA, "when the respondent last answered"),
    "token": (IDENTIFYING, "a token: the personal link to the questionnaire"),
    "ipaddr": (IDENTIFYING, "an IP address"),
    "refurl": (IDENTIFYING, "the referring URL, which can hold a personal link"),
    "interviewtime": (METADATA, "time spent (timings)"),
}
# The headings of those columns with the "full question text" heading type (English interface).
FULL = {"Response ID": "id", "Date submitted": "submitdate", "Last page": "lastpage", "Start language": "startlanguage",
        "Seed": "seed", "Date started": "startdate", "Date last action": "datestamp", "Token": "token",
        "Access code": "token", "IP address": "ipaddr", "Referrer URL": "refurl", "Total time": "interviewtime"}
SUBQUESTION = re.compile(r"^(?P<base>.+?)\s*\[(?P<sub>[^\[\]]+)\]$")
OTHER = {"other", "comment", "anders", "opmerking"}


def _field(name: str) -> str | None:
    if name.lower() in FIELDS:
        return name.lower()
    if name in FULL:
        return FULL[name]
    if name.endswith(".."):  # an abbreviated heading
        stem = name.rstrip(". ")
        found = [code for full, code in FULL.items() if full.startswith(stem)] if len(stem) >= 4 else []
        return found[0] if len(found) == 1 else None
    return None


def recognise(header: list[str]) -> bool:
    fields = {_field(h.strip()) for h in header}
    return {"id", "submitdate"} <= fields and bool({"lastpage", "startlanguage"} & fields)


def table(numbered, display: str) -> SourceTable:
    out = from_records(numbered, display, 1, tool="LimeSurvey")
    out.unticked_is_empty = True
    names = {c.name for c in out.columns}
    code_headings = any(c.name == "submitdate" for c in out.columns)
    out.details["headings"] = "question codes" if code_headings else "question texts"
    groups: dict[str, list] = {}
    for column in out.columns:
        field = _field(column.name)
        if field:
            column.role, column.reason = FIELDS[field]
            if field == "submitdate":
                out.complete = np.array([bool(str(v).strip()) for v in column.values])
                out.completion = f"the {column.name} column (empty: not finished)"
            if field in ("startdate", "submitdate", "datestamp"):
                out.dates.extend(d for d in (_date(v) for v in column.values) if d)
            continue
        if column.name.startswith("groupTime") or column.name.startswith(("Group time:", "Question time:")) or (
                column.name.endswith("Time") and column.name[:-4] in names):
            column.role, column.reason = METADATA, "time spent (timings)"
            continue
        if re.fullmatch(r"attribute_\d+", column.name):
            column.role, column.reason = IDENTIFYING, "an attribute from the list of participants"
            continue
        match = SUBQUESTION.match(column.name)
        if not match:
            continue
        base, sub = match.group("base"), match.group("sub").strip()
        if sub.lower() in OTHER:
            column.role, column.reason = OTHER_TEXT, 'the text of an "other" answer or a comment'
            continue
        column.group = base
        if code_headings:
            digits = re.fullmatch(r"[A-Za-z]*0*(\d+)", sub)
            column.option_code = int(digits.group(1)) if digits else sub
        else:
            column.option_label = sub
        if not code_headings:
            column.label = base
        groups.setdefault(base, []).append(column)
    out.multi_sets.extend(MultiSet(base, None if code_headings else base, [c.name for c in members])
                          for base, members in groups.items())
    return out


def _date(text) -> _dt.date | None:
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", str(text))
    if not match or match.group(1) == "1980":  # 1980-01-01: the date of every response in an undated survey
        return None
    try:
        return _dt.date(*map(int, match.groups()))
    except ValueError:
        return None
