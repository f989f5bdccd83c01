import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_decimal

from panelsite import i18n


@pytest.mark.parametrize("value", [0, 0.04, 0.5, 1.25, 2.5, 62.4, 99.95, 100, 1234.5, 1537, 123456.789, -3.14159, -0.004])
@pytest.mark.parametrize("decimals", [0, 1, 2])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_number_matches_babel(value, decimals, language):
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    half_up = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    expected = format_decimal(half_up, format=pattern, locale=i18n.LOCALES[language])
    if expected.startswith("-") and not expected.strip("-0,."):
        expected = expected[1:]  # we write no "minus zero" after rounding
    assert i18n.number(value, decimals, language) == expected


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


def test_every_ui_string_has_dutch_and_english():
    for key, texts in i18n.STRINGS.items():
        assert texts.get("nl") and texts.get("en"), key
