"""The top findings of a results page: three to five figures that say first what matters.

Computed from the question views of :mod:`panelsite.results.pages`, at most one per question:

1. significant changes since the previous round of the series (a question view's ``change``
   with ``significant`` true), the largest first — at most two;
2. a significant difference between a group and the rest of the municipality (a breakdown
   row with ``significant`` true), the largest — at most one;
3. the headline figure of each question in the order of the questionnaire: the key figure
   (a scale's top two, an explicit ``key``, a report mark's mean), or the largest share of a
   single or multiple-choice question without an explicit key.

There are four findings, five when a change or a difference is among them; fewer only when
the survey has fewer questions with a figure to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

MOST = 4
MOST_WITH_CHANGES = 5
CHANGES, DIFFERENCES = 2, 1


@dataclass(frozen=True)
class Finding:
    question_id: str
    number: str  # as the question is numbered on the page ("4a")
    value: str  # "52%", "7,0"
    label: str  # what the value is the share or mean of: "Tevreden of zeer tevreden"
    question: str  # what the question was about: its subject ("de afvalinzameling"), or else its text
    kind: str  # "change", "difference" or "figure"
    note: Markup | str = ""  # the change or difference in words (with its marker)


def top_findings(questions: list) -> list[Finding]:
    """The findings of a page from its question views (dicts with attribute access)."""
    candidates: list[tuple[float, Finding]] = []
    for position, q in enumerate(questions):
        if q.get("suppressed") or not q.get("headline"):
            continue
        about = q.get("subject") or q.text
        change = q.get("change")
        if change and change.get("significant"):
            key = q.key_figure
            candidates.append((3000 + abs(change.get("size", 0.0)),
                               Finding(q.id, q.number, key.value, key.label, about, "change", change.sentence)))
        difference = _largest_difference(q)
        if difference:
            size, row, breakdown = difference
            candidates.append((2000 + size, Finding(
                q.id, q.number, row.value,
                f"{breakdown.key_label[:1].upper()}{breakdown.key_label[1:]} ({breakdown.variable} {row.group})",
                about, "difference", row.versus_rest)))
        headline = q.headline
        candidates.append((1000 - position, Finding(q.id, q.number, headline.value, headline.label, about, "figure")))
    chosen: list[Finding] = []
    taken = {"change": 0, "difference": 0}
    limits = {"change": CHANGES, "difference": DIFFERENCES}
    for _, finding in sorted(candidates, key=lambda c: -c[0]):
        if any(f.question_id == finding.question_id for f in chosen):
            continue
        if finding.kind in limits:
            if taken[finding.kind] == limits[finding.kind]:
                continue
            taken[finding.kind] += 1
        chosen.append(finding)
    most = MOST_WITH_CHANGES if any(f.kind != "figure" for f in chosen[:MOST_WITH_CHANGES]) else MOST
    return chosen[:most]


def _largest_difference(q):
    """(size, row, breakdown) of the group that differs most, significantly, from the rest."""
    found = None
    for breakdown in q.get("breakdowns") or []:
        for row in breakdown.rows:
            if row.get("significant") and not row.get("indicative"):
                size = abs(row.get("difference", 0.0) or 0.0)
                if found is None or size > found[0]:
                    found = (size, row, breakdown)
    return found
