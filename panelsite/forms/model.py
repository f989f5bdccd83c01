"""What a form is: fields with their rules, texts and where answers are stored.

One :class:`Form` drives everything: the HTML (templates/macros/forms.html),
the JSON the browser validates with (``Form.client_definition``), the server-side
validation (validation.py) and the collector's storage. Browser and server
therefore agree on what is required and what each error message says.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

# Field types and the HTML they become.
FIELD_TYPES = (
    "text",  # <input type=text>
    "email",  # <input type=email>
    "textarea",  # <textarea>
    "number",  # <input inputmode=decimal>; "12,5" and "12.5" are both read
    "year",  # four digits, e.g. a birth year
    "postcode",  # Dutch postcode, 1234 AB
    "radio",  # one choice, fieldset with radio buttons
    "select",  # one choice from a long list
    "checkboxes",  # several choices, fieldset with checkboxes
    "checkbox",  # a single yes/no box (consent)
)
CHOICE_TYPES = ("radio", "select", "checkboxes")

# Where a field's value goes in the collector.
STORES = (
    "contact",  # name and e-mail of a member, stored apart from answers
    "profile",  # background data of a member (pseudonymous)
    "consent",  # the consent checkbox
    "message",  # the contact form's message
    "reason",  # why someone left (stored without any link to the person)
    "answer",  # questionnaire answers
)


@dataclass
class Field:
    name: str
    type: str
    label: str
    hint: str = ""
    paper_hint: str = ""  # instead of hint on paper, where one ticks boxes rather than clicks
    required: bool = False  # always required: marked "(verplicht)"
    required_when_shown: bool = False  # a filtered question: required only when its filter holds
    autocomplete: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label) in display order
    exclusive: list[str] = field(default_factory=list)  # "weet niet" values that exclude other choices
    missing: list[str] = field(default_factory=list)  # values meaning "no real answer"
    min: float | None = None
    max: float | None = None
    decimals: int | None = None  # number fields: most digits after the decimal comma
    maxlength: int | None = None
    min_age: int | None = None
    store: str = "profile"
    variable: str | None = None  # the population variable this field feeds (leeftijd, geslacht, wijk)
    number: str | None = None  # question number in a questionnaire: "4", or "4a" for one asked to some only
    condition: dict | None = None  # filter as JSON (see questionnaire.filter_json)
    condition_text: str = ""  # the filter in words, shown when JavaScript is off
    messages: dict[str, str] = field(default_factory=dict)
    background: bool = False  # questionnaire "about you" question, skipped for known members
    postcodes: dict[str, str] = field(default_factory=dict)  # PC4 -> district, for postcode fields
    question: Any = None  # the survey Question, for questionnaire fields

    # Asked for every posted answer; a form's fields do not change once it is loaded.
    @functools.cached_property
    def option_values(self) -> frozenset[str]:
        """The values a choice field accepts."""
        return frozenset(v for v, _ in self.options)

    @functools.cached_property
    def answer_codes(self) -> dict[str, Any]:
        """A questionnaire field's posted value → the survey's own code (1, not "1"); options first."""
        codes: dict[str, Any] = {}
        if self.question is not None:
            for table in (self.question.options or {}, self.question.missing or {}):
                for code in table:
                    codes.setdefault(str(code), code)
        return codes

    @property
    def is_group(self) -> bool:
        """Rendered as a fieldset with a legend (radios, checkboxes, and number/open with 'weet niet')."""
        return self.type in ("radio", "checkboxes") or bool(self.missing and self.type not in CHOICE_TYPES)

    @property
    def input_id(self) -> str:
        """The id of the element an error summary links to (the first option of a group)."""
        if self.type in ("radio", "checkboxes"):
            return f"f-{self.name}-1"
        return f"f-{self.name}"

    def message(self, kind: str, **values) -> str:
        text = self.messages.get(kind) or DEFAULT_MESSAGES[kind]
        return text.format(label=self.label, number=self.number or "", **values)

    def client_definition(self) -> dict:
        out = {
            "name": self.name,
            "type": self.type,
            # forms.js only checks questions that are shown, so a filtered one is required there.
            "required": self.required or self.required_when_shown,
            "id": self.input_id,
            "messages": {k: self.message(k, min=_fmt(self.min), max=_fmt(self.max), maxlength=self.maxlength or "",
                                         digits=digits(self.decimals)) for k in DEFAULT_MESSAGES},
        }
        for key in ("min", "max", "decimals", "maxlength", "min_age"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.options:
            out["options"] = [v for v, _ in self.options]
        if self.exclusive:
            out["exclusive"] = self.exclusive
        if self.missing:
            out["missing"] = self.missing
        if self.postcodes:
            out["postcodes"] = self.postcodes
        if self.condition:
            out["condition"] = self.condition
        return out


# The error summary lists these away from their fields, so each names its field (WCAG 3.3.1).
DEFAULT_MESSAGES = {
    "required": "Vul dit in: {label}",
    "choose": "Kies een antwoord bij: {label}",
    "invalid": "Vul een geldig antwoord in bij: {label}",
    "number": "Vul een getal in, zoals 12 of 12,5, bij: {label}",
    "min": "Vul een getal in van {min} of meer bij: {label}",
    "max": "Vul een getal in van {max} of minder bij: {label}",
    "decimals": "Vul een getal in met hoogstens {digits} achter de komma bij: {label}",
    "too_long": "Gebruik hoogstens {maxlength} tekens bij: {label}",
    "too_young": "U moet 18 jaar of ouder zijn",
    "outside": "Deze postcode hoort niet bij onze gemeente",
    "exclusive": "Kies 'weet niet' of een of meer antwoorden, niet allebei, bij: {label}",
    "characters": "Gebruik alleen letters, cijfers en leestekens bij: {label}",
    "too_fast": "U hebt het formulier heel snel verstuurd. Controleer uw antwoorden en verstuur het formulier opnieuw",
    # A post without the collector's timestamp (a form on the site without JavaScript): it comes back once.
    "unchecked": "Bijna klaar: controleer uw antwoorden en verstuur het formulier opnieuw",
    "expired": "Het formulier is verlopen. Controleer uw antwoorden en verstuur het formulier opnieuw",
}


def _fmt(value):
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def digits(decimals: int | None) -> str:
    """ "1 cijfer", "2 cijfers": the {digits} of the decimals message."""
    if decimals is None:
        return ""
    return f"{decimals} cijfer" if decimals == 1 else f"{decimals} cijfers"


@dataclass
class Form:
    id: str  # aanmelden | afmelden | contact | vragenlijst-<survey-id>
    kind: str  # aanmelden | afmelden | contact | vragenlijst
    slug: str  # the municipality
    title: str
    intro: str
    submit: str
    thanks_title: str
    thanks_text: str
    fields: list[Field]
    path: str  # the site page that holds the form, e.g. "doe-mee/"
    consent_version: str | None = None
    survey: Any = None  # the Survey of a questionnaire
    paper_intro: str = ""  # instead of intro on paper: someone else enters a paper form, so what happens next differs

    @property
    def thanks_path(self) -> str:
        return f"bedankt/{self.id}/"

    @property
    def paper_path(self) -> str:
        return f"{self.path}papier/"

    @property
    def has_conditions(self) -> bool:
        return any(f.condition for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def client_definition(self) -> dict:
        """The JSON embedded in the page for forms.js: the same rules the server applies."""
        return {"form": self.id, "fields": [f.client_definition() for f in self.fields]}
