"""Server-side validation of a posted form, from the same Field definitions forms.js uses.

``validate(form, data)`` takes the posted fields (name → list of strings) and
returns the cleaned values and the error messages, in field order, so the
error summary lists them top to bottom. Answers to questions whose filter does
not apply are dropped and never required.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field

from panelsite.config import email_address
from panelsite.forms.model import Field, Form, digits
from panelsite.forms.questionnaire import answer_columns, shown

POSTCODE = re.compile(r"([1-9]\d{3})\s?([A-Za-z]{2})")
NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
# A number as typed: "1.234.567,25" is 13 characters. Longer is no answer to any question (and a
# 400-digit one would be read as infinity).
NUMBER_CHARS = 24
# Bidirectional overrides and isolates can make text read differently from what it is.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = set("\t\n\r")


@dataclass
class Result:
    values: dict = field(default_factory=dict)  # name -> cleaned value (absent when empty)
    errors: dict = field(default_factory=dict)  # name -> message, in field order
    columns: dict = field(default_factory=dict)  # questionnaire: responses.csv columns
    # Fields holding characters no keyboard types (NUL, escape, a line break in a one-line field):
    # a crafted request, answered 400 rather than as a mistake.
    refused: set = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


# The same as a character loop over unicodedata.category(ch) == "Cc" (U+0000–U+001F, U+007F–U+009F)
# and BIDI_CONTROLS, in one regular-expression search.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS))
_UNUSABLE = {False: re.compile(f"[\t\n\r{_CONTROLS}]"), True: re.compile(f"[{_CONTROLS}]")}


def unusable_characters(text: str, multiline: bool) -> bool:
    """Control characters (tab and line breaks allowed in a multi-line field) and bidi controls."""
    return _UNUSABLE[multiline].search(text) is not None


def validate(form: Form, data: dict[str, list[str]], *, today: _dt.date | None = None,
             skip_background: bool = False) -> Result:
    today = today or _dt.date.today()
    result = Result()
    for f in form.fields:
        if skip_background and f.background:
            continue
        if f.condition and not shown(f, result.columns):
            continue  # filtered out: not asked, so not stored and not required
        raw = [v for v in data.get(f.name, []) if isinstance(v, str)]
        if raw and unusable_characters("".join(raw), f.type == "textarea"):  # one search for all the values
            result.errors[f.name] = f.message("characters")
            result.refused.add(f.name)
            if f.question is not None:
                result.columns.update(answer_columns(f, None))
            continue
        # Past the filter check above: a filtered question applies here, so it is required now.
        value, error = clean(f, raw, today, required=f.required or f.required_when_shown)
        if error:
            result.errors[f.name] = error
        elif value is not None:
            result.values[f.name] = value
        if f.question is not None:
            result.columns.update(answer_columns(f, None if error else value))
    return result


def clean(f: Field, raw: list[str], today: _dt.date, required: bool | None = None):
    """(value, None) or (None, message). An empty optional field gives (None, None)."""
    required = f.required if required is None else required
    if f.type == "checkboxes":
        chosen = [v for v in dict.fromkeys(v.strip() for v in raw) if v]
        if not chosen:
            return None, (f.message("required") if required else None)
        allowed = f.option_values
        if any(v not in allowed for v in chosen):
            return None, f.message("invalid")
        if len(chosen) > 1 and any(v in f.missing for v in chosen):
            return None, f.message("exclusive")
        return [_code(f, v) for v in chosen] if f.question is not None else chosen, None
    if f.type == "checkbox":
        ticked = any(v.strip() for v in raw)
        if not ticked:
            return None, (f.message("required") if required else None)
        return True, None
    if f.type in ("radio", "select"):
        values = [v.strip() for v in raw if v.strip()]
        if not values:
            return None, (f.message("required") if required else None)
        if len(values) > 1 or values[0] not in f.option_values:
            return None, f.message("invalid")
        return _code(f, values[0]), None

    # Text-like fields: one value.
    values = [v for v in raw if v.strip()]
    text = values[0].strip() if values else ""
    if f.type == "number" and f.missing:
        ticked = [v.strip() for v in raw if v.strip() in f.missing]
        typed = [v.strip() for v in raw if v.strip() and v.strip() not in f.missing]
        if ticked and typed:
            return None, f.message("exclusive")
        if ticked:
            return _code(f, ticked[0]), None
        text = typed[0] if typed else ""
    if not text:
        return None, (f.message("required") if required else None)
    if f.maxlength and len(text) > f.maxlength:
        return None, f.message("too_long", maxlength=f.maxlength)
    if f.type == "email":
        try:
            return email_address.parse(text), None
        except email_address.InvalidAddress:
            return None, f.message("invalid")
    if f.type == "year":
        if not re.fullmatch(r"\d{4}", text):
            return None, f.message("invalid")
        year = int(text)
        if year < (f.min or 1900) or year > today.year:
            return None, f.message("invalid")
        if f.min_age is not None and today.year - year < f.min_age:
            return None, f.message("too_young")
        return year, None
    if f.type == "postcode":
        match = POSTCODE.fullmatch(text)
        if not match:
            return None, f.message("invalid")
        if f.postcodes and match.group(1) not in f.postcodes:
            return None, f.message("outside")
        return match.group(1), None  # only the 4 digits are kept
    if f.type == "number":
        number = parse_number(text) if len(text) <= NUMBER_CHARS else None
        if number is None:
            return None, f.message("number")
        if f.min is not None and number < f.min:
            return None, f.message("min", min=_fmt(f.min))
        if f.max is not None and number > f.max:
            return None, f.message("max", max=_fmt(f.max))
        if f.decimals is not None and decimals_of(text) > f.decimals:
            return None, f.message("decimals", digits=digits(f.decimals))
        return (int(number) if number.is_integer() else number), None
    return text, None


def parse_number(text: str) -> float | None:
    """"12,5", "1.234,5" and "12.5": a dot is a decimal point unless the text also holds a
    comma (the rule panelsite.surveys uses for responses.csv)."""
    text = text.strip().replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    if not NUMBER.fullmatch(text.replace(",", ".")):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def decimals_of(text: str) -> int:
    """Digits after the decimal separator, by the rule of :func:`parse_number`."""
    text = text.strip().replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return len(text.partition(".")[2])


def _code(f: Field, value: str):
    """Back to the survey's own code (1, not "1") for questionnaire answers."""
    if f.question is None:
        return value
    if value in f.answer_codes:
        return f.answer_codes[value]
    return int(value) if value.isdigit() else value


def _fmt(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")
