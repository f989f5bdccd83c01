"""Measures ("wat doen we ermee"): status labels in plain Dutch and the overview across surveys."""

from __future__ import annotations

from dataclasses import dataclass

from panelsite import i18n
from panelsite.factsheets.source import When

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december"]


@dataclass(frozen=True)
class Status:
    id: str
    label: str  # badge text
    explain: str  # one sentence under the group heading on the overview page
    icon: str  # a symbol next to the text; never the only carrier of meaning
    anchor: str


STATUSES = {
    "taken": Status("taken", "Gedaan", "Deze maatregelen zijn klaar.", "✓", "gedaan"),
    "planned": Status("planned", "Gepland", "Hierover is besloten. We gaan ze nog uitvoeren.", "→", "gepland"),
    "investigating": Status("investigating", "Wordt onderzocht", "We zoeken nog uit of en hoe dit kan.", "?",
                            "wordt-onderzocht"),
    "not possible": Status("not possible", "Niet mogelijk", "Dit kan helaas niet. We leggen uit waarom.", "✕",
                           "niet-mogelijk"),
}


def when_text(when: When | None) -> str:
    """15 mei 2026, or "juli tot en met september 2026" for 2026-Q3."""
    if when is None:
        return ""
    if when.date is not None:
        return i18n.date(when.date)
    first, last = MONTHS[3 * when.quarter - 3], MONTHS[3 * when.quarter - 1]
    return f"{first} tot en met {last} {when.year}"


def when_line(measure) -> str:
    """"Klaar op 15 mei 2026" / "Klaar: juli tot en met september 2025" /
    "Verwacht: juli tot en met september 2026" / ""."""
    when = measure.expected
    if when is None:
        return ""
    if measure.status == "taken":
        return ("Klaar op " if when.date else "Klaar: ") + when_text(when)
    if measure.status == "not possible":
        return ""
    return "Verwacht: " + when_text(when)


def measure_view(measure) -> dict:
    return {"title": measure.title, "status": STATUSES[measure.status], "explanation": measure.explanation,
            "when": when_line(measure), "department": measure.department}


def overview(factsheets: list) -> list[dict]:
    """Every measure of the given factsheets grouped by status (fixed order), newest survey first.

    A measure shows the newest update about it (``follow_up.measure``), never
    one about another measure of the same survey.
    """
    groups = {status: [] for status in STATUSES}
    for fs in newest_first(factsheets):
        for measure in fs.measures:
            latest = fs.latest_follow_up(measure.title)
            groups[measure.status].append({
                **measure_view(measure),
                "survey_title": fs.survey.title, "results_path": f"resultaten/{fs.survey.id}/",
                "factsheet_path": fs.path, "factsheet_title": fs.title,
                "follow_up": {"date": latest.date, "text": latest.text} if latest else None,
            })
    return [{"status": STATUSES[s], "measures": items} for s, items in groups.items()]


def survey_news(factsheets: list) -> list[dict]:
    """Per survey, newest first, its newest update that is about no single measure."""
    news = []
    for fs in newest_first(factsheets):
        latest = fs.latest_follow_up()
        if latest:
            news.append({"date": latest.date, "text": latest.text, "survey_title": fs.survey.title,
                         "factsheet_path": fs.path})
    return news


def newest_first(factsheets: list) -> list:
    return sorted(factsheets, key=lambda f: (f.survey.publish_on, f.survey.id), reverse=True)
