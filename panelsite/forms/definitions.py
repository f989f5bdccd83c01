"""The built-in forms and the municipality's changes to them.

``panelsite/forms/builtin/<form>.yaml`` hold the sign-up (aanmelden),
unsubscribe (afmelden) and contact forms. A municipality changes texts and adds
fields with its ``forms:`` key (``FORMS``, validated by schema.py like every other
key, so a mistake reads ``municipalities/x.yaml:88: forms.aanmelden.age: …``).
``builtin_forms`` turns both into :class:`Form` objects.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from panelsite.config.schema import Bool, Choice, DictOf, Float, Int, ListOf, Mapping, Record, Str, validate
from panelsite.config.yamlfile import load as load_yaml
from panelsite.errors import ConfigError
from panelsite.forms.model import CHOICE_TYPES, FIELD_TYPES, STORES, Field, Form

BUILTIN_DIR = Path(__file__).parent / "builtin"
BUILTIN = ("aanmelden", "afmelden", "contact")
PAGE_PATHS = {"aanmelden": "doe-mee/", "afmelden": "afmelden/", "contact": "contact/"}
NAME = r"[a-z][a-z0-9_]*"


def _check_field(record, path, ctx):
    if record.get("type") in CHOICE_TYPES and not (record.get("options") or record.get("options_from")):
        ctx.report(f"{path}.options", f"is required for a {record.type} field (expected a mapping of value: label)")
    if record.get("options_from") and not re.fullmatch(r"population\.[a-z_][a-z0-9_-]*", record.options_from):
        ctx.report(f"{path}.options_from",
                   f'"{record.options_from}" is not valid (expected population.<variable>, like population.wijk)')


MESSAGES = Mapping(
    {
        "required": Str(help="Shown when a required field is empty."),
        "invalid": Str(help="Shown when the value is not valid for the field type."),
        "too_long": Str(help="Shown when the text is longer than maxlength ({maxlength} is the number)."),
        "too_young": Str(help="Birth year: shown below the minimum age."),
        "outside": Str(help="Postcode: shown when the postcode is not in the municipality."),
    },
    help="Own error messages instead of the standard ones.",
)

FIELD = Mapping(
    {
        "name": Str(required=True, pattern=NAME, expected="a lowercase name like nieuwsbrief",
                    help="Name of the field (column in the export)."),
        "type": Choice(FIELD_TYPES, required=True, help="Kind of input."),
        "label": Str(required=True, min_length=1, help="The question or label shown to the resident."),
        "hint": Str(help="Extra explanation below the label."),
        "required": Bool(default=False, help="Whether the field must be filled in."),
        "autocomplete": Str(help="HTML autocomplete token, like email or postal-code."),
        "options": DictOf(Str(min_length=1), help="Choices as value: label (radio, select, checkboxes)."),
        "options_from": Str(help="Take the choices from the population figures: population.<variable>."),
        "option_suffix": Str(default="", help='Text after each label taken from population figures, like " jaar".'),
        "extra_options": DictOf(Str(min_length=1), help="Choices added after those from the population figures."),
        "min": Float(help="Smallest number allowed (number fields)."),
        "max": Float(help="Largest number allowed (number fields)."),
        "maxlength": Int(min=1, max=10000, help="Most characters allowed."),
        "min_age": Int(min=0, max=120, help="Birth year fields: minimum age."),
        "store": Choice(STORES, default="profile", help="Where the collector keeps the value."),
        "variable": Str(help="The population variable this field fills (leeftijd, geslacht, wijk)."),
        "when": DictOf(Str(), help="Only include the field when the form's settings match, like {age: birth_year}."),
        "messages": MESSAGES,
    },
    validator=_check_field,
)

# The keys every form accepts in municipalities/<slug>.yaml under forms.<form>.
TEXTS = {
    "title": Str(help="Heading of the form."),
    "intro": Str(help="Text above the form."),
    "paper_intro": Str(help="Text above the printable version, when it differs from intro (defaults to intro)."),
    "submit": Str(help="Text on the send button."),
    "thanks_title": Str(help="Heading of the thank-you page."),
    "thanks_text": Str(help="Text of the thank-you page."),
}


def _extra_fields(reserved: tuple[str, ...]):
    def check(value, path, ctx):
        for i, item in enumerate(value or []):
            if item and item.get("name") in reserved:
                ctx.report(f"{path}.{i}.name", f'"{item.name}" is a built-in field (expected another name)')
        return value

    class ExtraFields(ListOf):
        def convert(self, value, path, ctx):
            return check(super().convert(value, path, ctx), path, ctx)

    return ExtraFields(FIELD, help="Fields added after the built-in ones (see docs/forms.md).")


def _check_signup(record, path, ctx):
    population = (ctx.located.data or {}).get("population") or {}
    if record.get("age") == "age_group" and "leeftijd" not in population:
        ctx.report(f"{path}.age", "age_group needs population figures for leeftijd (expected population.leeftijd)")
    if record.get("district") == "wijk" and "wijk" not in population:
        ctx.report(f"{path}.district",
                   "wijk needs population figures for wijk (expected population.wijk, or district: postcode)")
    if record.get("district") == "postcode":
        if not record.get("postcodes"):
            ctx.report(f"{path}.postcodes",
                       "is required with district: postcode (expected per district a list of 4-digit postcodes)")
        districts = list((population.get("wijk") or {}).keys())
        for name, codes in (record.get("postcodes") or {}).items():
            if districts and name not in districts:
                ctx.report(f"{path}.postcodes.{name}",
                           f'"{name}" is not a district in population.wijk (expected one of {", ".join(districts)})')
            for i, code in enumerate(codes or []):
                if code is not None and not re.fullmatch(r"[1-9]\d{3}", str(code)):
                    ctx.report(f"{path}.postcodes.{name}.{i}",
                               f'"{code}" is not a 4-digit postcode (expected digits like 4101)')


class Postcodes(DictOf):
    def __init__(self, **kw):
        super().__init__(ListOf(Str()), **kw)
        self.expected = "per district a list of 4-digit postcodes"


SIGNUP = Mapping(
    {
        **TEXTS,
        "consent_text": Str(help="The consent the resident gives by ticking the box."),
        "consent_version": Str(pattern=r"[A-Za-z0-9._-]{1,32}", expected="a short version like 2026-01",
                               help="Version of the consent text; stored with each sign-up."),
        "age": Choice(["birth_year", "age_group"], default="birth_year",
                      help="Ask the year of birth (checked for 18+) or the age group from population.leeftijd."),
        "district": Choice(["wijk", "postcode"], default="wijk",
                           help="Ask the district (choices from population.wijk) or the postcode."),
        "postcodes": Postcodes(help="With district: postcode, the 4-digit postcodes of each district."),
        "extra_fields": _extra_fields(("naam", "email", "geboortejaar", "leeftijd", "geslacht", "wijk", "postcode",
                                       "toestemming")),
    },
    validator=_check_signup,
    help="Changes to the sign-up form.",
)

FORMS = Mapping(
    {
        "aanmelden": SIGNUP,
        "afmelden": Mapping({**TEXTS, "extra_fields": _extra_fields(("email", "reden"))},
                            help="Changes to the unsubscribe form."),
        "contact": Mapping({**TEXTS, "extra_fields": _extra_fields(("naam", "email", "bericht"))},
                           help="Changes to the contact form."),
        "vragenlijst": Mapping(
            {
                **TEXTS,
                "background": Bool(default=True, help='Ask age, gender and district at the end when the respondent '
                                                      'is no known member.'),
            },
            help="Texts for every questionnaire (the title defaults to the survey's title).",
        ),
    },
    help="Changes to the built-in forms (see docs/forms.md).",
)


@functools.cache  # panelsite's own files: read and checked once per process, not once per municipality
def _load_builtin(name: str) -> Record:
    """A built-in form's YAML as validated; read only (builtin_forms makes each site's fields from it)."""
    located = load_yaml(BUILTIN_DIR / f"{name}.yaml", f"panelsite/forms/builtin/{name}.yaml")
    schema = Mapping({**SIGNUP.options, "fields": ListOf(FIELD, min_items=1)} if name == "aanmelden"
                     else {**TEXTS, "fields": ListOf(FIELD, min_items=1)})
    record, problems = validate(schema, located)
    if problems:
        raise ConfigError(problems)
    return record


def builtin_forms(municipality) -> dict[str, Form]:
    """The sign-up, unsubscribe and contact forms as this municipality shows them."""
    settings = municipality.forms
    out = {}
    for name in BUILTIN:
        base = _load_builtin(name)
        own = settings.get(name) or Record()
        texts = {key: own.get(key) or base.get(key) or "" for key in TEXTS}
        switches = {"age": own.get("age") or "birth_year", "district": own.get("district") or "wijk"}
        consent = {
            "consent_text": own.get("consent_text") or base.get("consent_text") or "",
            "consent_version": own.get("consent_version") or base.get("consent_version") or "1",
        }
        fields = []
        for raw in [*base.fields, *(own.get("extra_fields") or [])]:
            if raw.when and any(switches.get(k) != v for k, v in raw.when.items()):
                continue
            fields.append(make_field(raw, municipality, consent, own.get("postcodes") or {}))
        out[name] = Form(
            id=name, kind=name, slug=municipality.slug, fields=fields, path=PAGE_PATHS[name],
            consent_version=consent["consent_version"] if name == "aanmelden" else None, **texts,
        )
    return out


def make_field(raw: Record, municipality, texts: dict | None = None, postcodes: dict | None = None) -> Field:
    """A Field from a validated field mapping (built-in YAML or extra_fields)."""
    texts = texts or {}
    options = [(str(k), str(v)) for k, v in (raw.get("options") or {}).items()]
    if raw.get("options_from"):
        variable = raw.options_from.split(".", 1)[1]
        labels = municipality.population.labels.get(variable) or {}
        suffix = raw.get("option_suffix") or ""
        options = [(str(c), label + suffix) for c, label in labels.items()] + options
    options += [(str(k), str(v)) for k, v in (raw.get("extra_options") or {}).items()]
    messages = {k: v for k, v in (raw.get("messages") or {}).items() if v}
    if raw.get("min_age") and "too_young" not in messages:
        messages["too_young"] = f"U moet {raw.min_age} jaar of ouder zijn"
    field = Field(
        name=raw.name, type=raw.type, label=raw.label.format(**texts), hint=(raw.get("hint") or "").format(**texts),
        required=bool(raw.get("required")), autocomplete=raw.get("autocomplete"), options=options,
        min=raw.get("min"), max=raw.get("max"), maxlength=raw.get("maxlength"), min_age=raw.get("min_age"),
        store=raw.get("store") or "profile", variable=raw.get("variable"), messages=messages,
    )
    if raw.type == "postcode" and postcodes:
        field.postcodes = {str(code): district for district, codes in postcodes.items() for code in codes or []}
    if raw.type in ("year",) and field.min is None:
        field.min = 1900
    return field

