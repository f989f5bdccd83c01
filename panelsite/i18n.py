"""Dutch numbers and dates, as residents read them: "62,4%", "1.537", "15 april 2026".

Numbers and dates go through Babel (CLDR, locale nl_NL), so they come out as Dutch
readers expect, without hand-written locale rules. The sites are Dutch throughout
(their texts, the results' sentences, the statements the law asks for), so there is
one locale.
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _format_date

LOCALE = "nl_NL"


@lru_cache(maxsize=None)
def babel_locale() -> Locale:
    """The Babel locale, parsed once: Babel parses a locale name on every call."""
    return Locale.parse(LOCALE)


@lru_cache(maxsize=None)
def _symbols() -> tuple[str, str]:
    locale = babel_locale()
    return locale.number_symbols["latn"]["decimal"], locale.number_symbols["latn"]["group"]


def number(value: float | int | None, decimals: int = 0) -> str:
    """A number with the locale's separators, rounded half up as readers do: 1.234,5; 62,5 → 63.

    The symbols come from Babel (CLDR); the digits from Python (see _half_up).
    A results page formats thousands of numbers and babel.numbers.format_decimal
    costs ~50 µs a call, so we only ask Babel for the symbols (tests compare the
    two on many values). Half up, not Python's half-to-even, so a table and the
    sentence under it never show 62% and 63% for the same 62,5%.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):  # no figure (nan), or no number
        return "–"
    decimal, group = _symbols()
    if type(value) is int and -_EXACT_INT < value < _EXACT_INT:  # counts: nothing to round
        text = format(value, _SPECS[decimals])
    else:
        text = _half_up(float(value), decimals)
        if text[0] == "-" and not text.strip("-0.,"):  # no "minus zero" after rounding
            text = text[1:]
    if "," not in text:  # below 1000: only the decimal sign to swap
        return text.replace(".", decimal)
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def median(value: float | None) -> str:
    """A median as every page, factsheet and sentence shows it: 9 when whole, else 7,5.

    A weighted median is one of the answers (or halfway between two), so a
    decimal ",0" would suggest a precision the answers do not have.
    """
    if value is not None and float(value).is_integer():
        return number(int(value), 0)
    return number(value, 1)


def _half_up(value: float, decimals: int) -> str:
    """The float's shortest text (its repr, what a reader sees) rounded half up, as 1,234.5.

    Python's own formatting rounds the binary value instead. The two agree
    unless the text ends exactly on the half (62.5, where only half up gives
    63), has an exponent, or the rounded figure needs more than the 15
    significant digits every float holds (DBL_DIG): no rounding boundary lies
    between a float and its shortest text, or the boundary would have been a
    shorter or closer text. Those cases go through decimal, three times slower.
    """
    step, spec = _STEPS[decimals], _SPECS[decimals]
    digits = repr(value)
    whole, _, fraction = digits.partition(".")
    if (not fraction or "e" in fraction or len(whole) + decimals > 15
            or (len(fraction) == decimals + 1 and fraction[-1] == "5")):
        return format(Decimal(digits).quantize(step, ROUND_HALF_UP, _WIDE), spec)
    return format(value, spec)


_STEPS = {d: Decimal(1).scaleb(-d) for d in range(0, 7)}
# Room for every float's digits (up to 1.8e308) and six decimals: decimal's default context holds
# 28 digits, so quantizing a figure beyond 10**22 would raise InvalidOperation.
_WIDE = Context(prec=330)
_SPECS = {d: f",.{d}f" for d in range(0, 7)}
_EXACT_INT = 2**53  # ints a float holds exactly, so the float route would give the same digits


def percent(value: float | None, decimals: int = 0) -> str:
    """A percentage from a 0–100 value: 62% or 62,4%.

    Dutch style writes no space before the sign in running text (Taalunie), as
    CLDR's nl pattern "#,##0%" does.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return number(value, decimals) + "%"


def date(value: _dt.date | None, style: str = "long") -> str:
    """15 april 2026."""
    if value is None:
        return ""
    return _format_date(value, format=style, locale=babel_locale())


def date_range(start: _dt.date, end: _dt.date) -> str:
    """2 tot en met 16 maart 2026."""
    joiner = " tot en met "
    if start.year == end.year and start.month == end.month:
        return f"{start.day}{joiner}{date(end)}"
    if start.year == end.year:
        return _format_date(start, format="d MMMM", locale=babel_locale()) + joiner + date(end)
    return date(start) + joiner + date(end)
