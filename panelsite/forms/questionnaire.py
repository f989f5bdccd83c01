"""A questionnaire form generated from a survey.yaml with ``collect: true``.

Every question type becomes the field residents expect (single → radios, multi →
checkboxes, scale → radio group, grade → 1–10 radios, number → decimal input,
open → textarea); missing codes ("weet niet") are one more choice. A question's
filter becomes a condition: forms.js shows and hides the question, the text
"Alleen invullen als …" explains it when JavaScript is off, and the server drops
answers to questions the respondent should not have seen.
"""

from __future__ import annotations

import dataclasses
import re

from panelsite.forms.model import Field, Form

REQUIRED_TYPES = ("single", "multi", "scale", "grade", "number")

# Instructions survey authors put in the question text (the scaffold does): the hint says
# them once, so they are taken out of the label, and a grade's own anchors become the hint.
GRADE_ANCHORS = re.compile(r"\s*\((1 is [^()]*10 is [^()]*)\)\s*$")
MULTI_INSTRUCTION = re.compile(r"\s*U kunt meer(?: dan (?:één|een))? antwoord(?:en)? (?:kiezen|geven)\.?\s*$", re.I)
GRADE_HINT = "1 is heel slecht, 10 is uitstekend."
MULTI_HINT = "U kunt meer dan één antwoord kiezen."
MULTI_PAPER_HINT = "U kunt meer dan één vakje aankruisen."


def questionnaire_form(municipality, survey, signup: Form | None = None) -> Form:
    settings = municipality.forms.vragenlijst
    numbers = survey.numbers
    by_id = {q.id: q for q in survey.questions}
    fields = [question_field(q, numbers[q.id], numbers, by_id) for q in survey.questions]
    if signup is not None and settings.get("background", True) is not False:
        for f in signup.fields:
            if f.variable:
                fields.append(dataclasses.replace(f, required=False, background=True, store="profile"))
    return Form(
        id=f"vragenlijst-{survey.id}",
        kind="vragenlijst",
        slug=municipality.slug,
        title=survey.title,
        intro=settings.get("intro") or (survey.summary or "Uw antwoorden zijn anoniem. "
                                                          "Niemand kan zien wat u hebt geantwoord."),
        submit=settings.get("submit") or "Antwoorden versturen",
        paper_intro=settings.get("paper_intro") or "",
        thanks_title=settings.get("thanks_title") or "Bedankt voor het invullen",
        thanks_text=settings.get("thanks_text") or "We hebben uw antwoorden ontvangen. "
                                                   "De uitkomsten komen op deze website.",
        fields=fields,
        path=f"vragenlijst/{survey.id}/",
        survey=survey,
    )


def question_field(q, number: str, numbers: dict, by_id: dict) -> Field:
    options = [(str(code), str(label)) for code, label in (q.options or {}).items()]
    missing = [(str(code), str(label)) for code, label in (q.missing or {}).items()]
    kind = {"single": "radio", "scale": "radio", "grade": "radio", "multi": "checkboxes",
            "number": "number", "open": "textarea"}[q.type]
    if q.type == "grade":
        options = [(str(g), str(g)) for g in range(1, 11)]
    label = str(q.text)
    field = Field(
        name=q.id, type=kind, label=label, number=number, store="answer", question=q,
        required=q.type in REQUIRED_TYPES,
        options=options + missing,  # number: the missing codes become "weet niet" boxes
        missing=[code for code, _ in missing],
        maxlength=5000 if q.type == "open" else None,
        messages={
            "required": f"Beantwoord vraag {number}",
            "invalid": f"Kies bij vraag {number} een van de antwoorden",
            "too_long": f"Uw antwoord bij vraag {number} is te lang. Gebruik hoogstens {{maxlength}} tekens",
            "exclusive": f"Kies bij vraag {number} 'weet niet' of een of meer antwoorden, niet allebei",
            "characters": f"Gebruik bij vraag {number} alleen letters, cijfers en leestekens",
        },
    )
    if q.type == "grade":
        anchors = GRADE_ANCHORS.search(label)
        field.label = label[:anchors.start()] if anchors else label
        field.hint = anchors.group(1) + "." if anchors else GRADE_HINT
    if q.type == "number":
        field.hint = f"In {q.unit}." if getattr(q, "unit", None) else ""
        field.min, field.max, field.decimals = q.min, q.max, q.decimals
        field.messages["number"] = f"Vul bij vraag {number} een getal in, zoals 12 of 12,5"
        field.messages["min"] = f"Vul bij vraag {number} een getal in van {{min}} of meer"
        field.messages["max"] = f"Vul bij vraag {number} een getal in van {{max}} of minder"
        field.messages["decimals"] = f"Vul bij vraag {number} een getal in met hoogstens {{digits}} achter de komma"
        field.messages["exclusive"] = f"Vul bij vraag {number} een getal in of kies 'weet niet', niet allebei"
    if q.type == "multi":
        field.label = MULTI_INSTRUCTION.sub("", label) or label
        field.hint, field.paper_hint = MULTI_HINT, MULTI_PAPER_HINT
    if q.filter is not None:
        field.condition = filter_json(q.filter.expr)
        field.condition_text = "Alleen invullen als u " + describe(q.filter.expr, numbers, by_id) + "."
        # Without JavaScript and on paper the question is always there, next to "only if …":
        # "(verplicht)" would contradict that. The server still requires it when the filter holds.
        field.required, field.required_when_shown = False, field.required
    return field


def filter_json(expr) -> dict:
    """The parsed filter as JSON for forms.js (same shape as panelsite.surveys.filters)."""
    if hasattr(expr, "items"):
        return {"op": expr.op, "items": [filter_json(item) for item in expr.items]}
    return {"op": expr.op, "name": expr.name, "values": list(expr.values)}


def describe(expr, numbers: dict, by_id: dict, *, where=None, plural: bool = False) -> str:
    """A filter in plain Dutch: "bij vraag 1 'Ja' hebt geantwoord" (to the resident filling in).

    ``plural`` speaks of the participants instead ("… 'Ja' antwoordden", for a results page);
    ``where(question_id)`` names the question (default: "bij vraag <number>").
    """
    where = where or (lambda qid: f"bij vraag {numbers[qid]}")
    answered = "antwoordden" if plural else "hebt geantwoord"
    quote = "‘{}’" if plural else "'{}'"  # on a page typographic quotes; forms.js and paper keep the plain ones
    if hasattr(expr, "items"):
        joiner = " en " if expr.op == "and" else " of "
        return joiner.join(describe(item, numbers, by_id, where=where, plural=plural) for item in expr.items)
    name, op, values = expr.name, expr.op, expr.values
    q = by_id.get(name)
    if q is None:  # an option column of a multi question: q2_3 == 1
        qid, _, code = name.rpartition("_")
        q = by_id[qid]
        label = _label(q, code)
        ticked = (op in ("==", "in") and 1 in values) or (op == "!=" and 0 in values)
        if plural:
            verb = "aankruisten" if ticked else "niet aankruisten"
        else:
            verb = "hebt aangekruist" if ticked else "niet hebt aangekruist"
        return f"{where(qid)} {quote.format(label)} {verb}"
    at = where(name)
    shown = " of ".join(quote.format(_label(q, v)) for v in values)
    if op in ("==", "in"):
        return f"{at} {shown} {answered}"
    if op == "!=":
        return f"{at} niet {shown} {answered}"
    words = {">=": "of hoger", "<=": "of lager", ">": None, "<": None}
    value = _label(q, values[0])
    if op == ">":
        return f"{at} hoger dan {value} {answered}"
    if op == "<":
        return f"{at} lager dan {value} {answered}"
    return f"{at} {value} {words[op]} {answered}"


def _label(q, code) -> str:
    for table in (q.options or {}, q.missing or {}):
        for key, label in table.items():
            if str(key) == str(code):
                return str(label)
    return str(code).replace(".", ",")


def shown(field: Field, columns: dict) -> bool:
    """Whether a filtered question applies, given the answers so far (server side)."""
    if field.question is None or field.question.filter is None:
        return True
    return field.question.filter.test(columns.get)


def answer_columns(field: Field, value) -> dict:
    """The responses.csv columns of one cleaned answer (None = not answered)."""
    q = field.question
    if q.type == "multi":
        chosen = {str(v) for v in value or []}
        answered = bool(chosen)
        return {f"{q.id}_{code}": (1 if str(code) in chosen else 0) if answered else None for code in q.options}
    if q.type == "open":
        return {q.id: value if value else None}
    return {q.id: value}
