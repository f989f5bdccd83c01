"""A questionnaire form generated from a survey.yaml with ``collect: true``.

Every question type becomes the field residents expect (single → radios, multi →
checkboxes, scale → radio group, grade → 1–10 radios, number → decimal input,
open → textarea); missing codes ("weet niet") are one more choice. A question's
filter becomes a condition: forms.js shows and hides the question, the text
"Alleen invullen als …" explains it when JavaScript is off, and the server drops
answers to questions the respondent should not have seen.
"""

from __future__ import annotations

import numpy as np

from .definitions import forms_settings
from .model import Field, Form

REQUIRED_TYPES = ("single", "multi", "scale", "grade", "number")


def questionnaire_form(municipality, survey, signup: Form | None = None) -> Form:
    settings = forms_settings(municipality).get("vragenlijst") or {}
    numbers = {q.id: i for i, q in enumerate(survey.questions, start=1)}
    by_id = {q.id: q for q in survey.questions}
    fields = [question_field(q, numbers[q.id], numbers, by_id) for q in survey.questions]
    if signup is not None and settings.get("background", True) is not False:
        for f in signup.fields:
            if f.variable:
                fields.append(Field(**{**f.__dict__, "required": False, "background": True, "store": "profile"}))
    return Form(
        id=f"vragenlijst-{survey.id}",
        kind="vragenlijst",
        slug=municipality.slug,
        title=survey.title,
        intro=settings.get("intro") or (survey.summary or "Uw antwoorden zijn anoniem. Niemand kan zien wat u hebt geantwoord."),
        submit=settings.get("submit") or "Antwoorden versturen",
        thanks_title=settings.get("thanks_title") or "Bedankt voor het invullen",
        thanks_text=settings.get("thanks_text") or "We hebben uw antwoorden ontvangen. De uitkomsten komen op deze website.",
        fields=fields,
        path=f"vragenlijst/{survey.id}/",
        survey=survey,
    )


def question_field(q, number: int, numbers: dict, by_id: dict) -> Field:
    options = [(str(code), str(label)) for code, label in (q.options or {}).items()]
    missing = [(str(code), str(label)) for code, label in (q.missing or {}).items()]
    kind = {"single": "radio", "scale": "radio", "grade": "radio", "multi": "checkboxes",
            "number": "number", "open": "textarea"}[q.type]
    if q.type == "grade":
        options = [(str(g), str(g)) for g in range(1, 11)]
    field = Field(
        name=q.id, type=kind, label=q.text, number=number, store="answer", question=q,
        required=q.type in REQUIRED_TYPES,
        options=options + missing,  # number: the missing codes become "weet niet" boxes
        missing=[code for code, _ in missing],
        maxlength=5000 if q.type == "open" else None,
        messages={"required": f"Beantwoord vraag {number}"},
    )
    if q.type == "grade":
        field.hint = "1 is heel slecht, 10 is uitstekend."
    if q.type == "number":
        field.hint = f"In {q.unit}." if getattr(q, "unit", None) else ""
        field.messages["number"] = f"Vul bij vraag {number} een getal in, zoals 12 of 12,5"
    if q.type == "multi":
        field.hint = "U kunt meer dan één antwoord kiezen."
    if q.filter is not None:
        field.condition = filter_json(q.filter.expr)
        field.condition_text = "Alleen invullen als u " + describe(q.filter.expr, numbers, by_id) + "."
    return field


def filter_json(expr) -> dict:
    """The parsed filter as JSON for forms.js (same shape as panelsite.surveys.filters)."""
    if hasattr(expr, "items"):
        return {"op": expr.op, "items": [filter_json(item) for item in expr.items]}
    return {"op": expr.op, "name": expr.name, "values": list(expr.values)}


def describe(expr, numbers: dict, by_id: dict) -> str:
    """A filter in plain Dutch: "bij vraag 1 'Ja' hebt geantwoord"."""
    if hasattr(expr, "items"):
        joiner = " en " if expr.op == "and" else " of "
        return joiner.join(describe(item, numbers, by_id) for item in expr.items)
    name, op, values = expr.name, expr.op, expr.values
    q = by_id.get(name)
    if q is None:  # an option column of a multi question: q2_3 == 1
        qid, _, code = name.rpartition("_")
        q = by_id[qid]
        label = _label(q, code)
        ticked = (op in ("==", "in") and 1 in values) or (op == "!=" and 0 in values)
        return f"bij vraag {numbers[qid]} '{label}' {'hebt' if ticked else 'niet hebt'} aangekruist"
    where = f"bij vraag {numbers[name]}"
    shown = " of ".join(f"'{_label(q, v)}'" for v in values)
    if op in ("==", "in"):
        return f"{where} {shown} hebt geantwoord"
    if op == "!=":
        return f"{where} niet {shown} hebt geantwoord"
    words = {">=": "of hoger", "<=": "of lager", ">": None, "<": None}
    value = _label(q, values[0])
    if op == ">":
        return f"{where} hoger dan {value} hebt geantwoord"
    if op == "<":
        return f"{where} lager dan {value} hebt geantwoord"
    return f"{where} {value} {words[op]} hebt geantwoord"


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
    lookup = lambda name: np.array([columns.get(name)], dtype=object)  # noqa: E731
    return bool(field.question.filter.evaluate(lookup)[0])


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
