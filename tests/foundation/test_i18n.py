import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_decimal

from panelsite import i18n


@pytest.mark.parametrize("value", [0, 0.04, 0.5, 1.25, 2.5, 62.4, 99.95, 100, 1234.5, 1537, 123456.789, -3.14159, -0.004])
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_number_matches_babel(value, decimals):
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    half_up = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    expected = format_decimal(half_up, format=pattern, locale=i18n.LOCALE)
    if expected.startswith("-") and not expected.strip("-0,."):
        expected = expected[1:]  # we write no "minus zero" after rounding
    assert i18n.number(value, decimals) == expected


def test_rounding_is_half_up_everywhere():
    """A table and the sentence under it must agree: 62,5% is "63%", 6,25 is "6,3"."""
    assert i18n.number(62.5) == "63" and i18n.percent(62.5) == "63%"
    assert i18n.number(6.25, 1) == "6,3"
    assert i18n.number(0.5) == "1" and i18n.number(2.5) == "3"
    assert i18n.number(7, 1) == "7,0"


def test_dutch_formats():
    assert i18n.percent(62.4, 1) == "62,4%"
    assert i18n.percent(62.4) == "62%"
    assert i18n.number(1537) == "1.537"
    assert i18n.number(float("nan")) == "–"
    assert i18n.date(dt.date(2026, 4, 15)) == "15 april 2026"
    assert i18n.date_range(dt.date(2026, 3, 2), dt.date(2026, 3, 16)) == "2 tot en met 16 maart 2026"
    assert i18n.date_range(dt.date(2026, 2, 20), dt.date(2026, 3, 6)) == "20 februari tot en met 6 maart 2026"


@pytest.mark.parametrize("value", [0, 7, -7, 999, 1000, -1234, 1234567, 2**53 - 1, -(2**53 - 1), 2**53 + 1, 10**17 + 3])
@pytest.mark.parametrize("decimals", [0, 1, 2])
def test_whole_numbers_read_like_the_same_float(value, decimals):
    """Counts skip the rounding, but must come out as the float route writes them: above 2**53
    a float cannot hold every whole number, and the figure shown has always been the float's."""
    half_up = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    expected = format_decimal(half_up, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale="nl_NL")
    assert i18n.number(value, decimals) == expected


def _half_up_reference(value: float, decimals: int) -> str:
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def test_rounding_half_up_holds_near_every_kind_of_boundary():
    """number() lets Python format most floats and keeps decimal for the cases where binary and
    decimal rounding part: exact halves, exponents, and figures of more than 15 digits."""
    import math
    import random

    rng = random.Random(20260415)
    values = [62.5, 0.125, 2.675, 1.005, -2.5, -0.05, 5e-07, 1e16, 1.5e16, 123456789012.1, 99999999999999.99]
    for _ in range(3000):
        decimals = rng.randint(0, 3)
        half = (rng.randint(-10 ** rng.randint(1, 14), 10 ** 6) + 0.5) / 10 ** decimals
        values += [half, math.nextafter(half, math.inf), math.nextafter(half, -math.inf),
                   rng.randint(1, 10**6) / rng.randint(1, 10**6) * 100, 10 ** rng.uniform(-8, 17)]
    for value in values:
        for decimals in range(4):
            assert i18n.number(value, decimals) == _half_up_reference(value, decimals), (value, decimals)


def test_a_median_is_whole_when_it_is_an_answer():
    assert [i18n.median(v) for v in (9.0, 9, 7.5, 1234.0, 0.25, None)] == ["9", "9", "7,5", "1.234", "0,3", "–"]
