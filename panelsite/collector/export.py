"""Exports: ``responses.csv`` exactly as the results pipeline reads it, and the member list.

responses: ``respondent_id``, the background variables named as in
``population`` (leeftijd, geslacht, wijk), then the question columns in
survey order (a multi question as ``q3_1 … q3_n`` with 0/1). UTF-8, comma.
members: ``member_id``, background variables, extra profile fields, ``joined``
and ``left`` dates; confirmed members only, never names or e-mail addresses.

Every cell that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-`` or ``@``) is prefixed with ``'``; negative numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def responses_csv(storage, municipality, survey) -> str:
    variables = list(municipality.population.variables)
    columns = [c for q in survey.questions for c in q.columns]
    rows = []
    for respondent_id, background, answers, _created in storage.responses(municipality.slug, survey.id):
        rows.append([respondent_id, *(background.get(v) for v in variables), *(answers.get(c) for c in columns)])
    return _csv(["respondent_id", *variables, *columns], rows)


def members_csv(storage, municipality, extra_fields: list[str] = ()) -> str:
    variables = list(municipality.population.variables)
    rows = []
    for member_id, profile, confirmed, left in storage.members(municipality.slug):
        values = profile.get("variables", {})
        extra = profile.get("extra", {})
        rows.append([member_id, *(values.get(v) for v in variables), *(_extra(extra.get(n)) for n in extra_fields),
                     _date(confirmed), _date(left)])
    return _csv(["member_id", *variables, *extra_fields, "joined", "left"], rows)


def _extra(value):
    return ";".join(str(v) for v in value) if isinstance(value, list) else value


def _date(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return _dt.datetime.fromtimestamp(timestamp, _dt.timezone.utc).date().isoformat()
