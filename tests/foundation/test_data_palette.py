"""The data palette (config/datapalette.py): from the brand, never alarming, readable, colour-blind safe."""

import pytest
from coloraide import Color

from panelsite.config.brand import mix
from panelsite.config.datapalette import MIN_DISTANCE, SEQUENTIAL_STEPS, _distance, data_palette

BRANDS = {
    "blue": ("#0b5394", "#c25e00", "#ffffff", "#1b1b1b"),
    "red": ("#c8102e", "#e30613", "#ffffff", "#1b1b1b"),  # a red brand, also red as its second colour
    "yellow": ("#f5a800", "#ffd200", "#ffffff", "#1f1f1f"),
    "green": ("#2f6b2f", "#8a5a14", "#ffffff", "#1d2a1d"),
    "grey": ("#444444", "#777777", "#ffffff", "#111111"),
    "dark page": ("#7fb3ff", "#ffb000", "#121212", "#f0f0f0"),
}


def _palette(name):
    primary, secondary, background, text = BRANDS[name]
    surface = mix(primary, background, 0.07)
    return data_palette(primary, secondary, background, surface, text), background, surface, text


def _hue(colour):
    return Color(colour).convert("oklch").coords(nans=False)


@pytest.mark.parametrize("name", list(BRANDS))
def test_every_colour_stands_out_and_carries_a_readable_value(name):
    palette, background, surface, _ = _palette(name)
    assert len(palette.categorical) >= 2 and len(palette.sequential) == SEQUENTIAL_STEPS
    for colour in (*palette.categorical, *palette.sequential):
        assert Color(colour).contrast(background, method="wcag21") >= 3  # WCAG 1.4.11
        assert Color(colour).contrast(surface, method="wcag21") >= 3
        assert Color(palette.labels[colour]).contrast(colour, method="wcag21") >= 4.5  # a value inside a bar


@pytest.mark.parametrize("name", list(BRANDS))
def test_no_alert_colour_no_mustard_no_grey(name):
    palette, *_ = _palette(name)
    for colour in (*palette.categorical, *palette.sequential):
        lightness, chroma, hue = _hue(colour)
        assert chroma >= 0.03, f"{colour} is grey"
        assert not (hue < 50 or hue >= 350), f"{colour} is red-ish (hue {hue:.0f})"
        assert not (65 <= hue < 115 and lightness < 0.75), f"{colour} is mustard (hue {hue:.0f})"


@pytest.mark.parametrize("name", list(BRANDS))
def test_categorical_colours_stay_apart_for_colour_blind_readers(name):
    palette, *_ = _palette(name)
    colours = palette.categorical
    for i, a in enumerate(colours):
        for b in colours[i + 1:]:
            assert _distance(a, b) >= MIN_DISTANCE, (a, b)


def test_the_palette_starts_from_the_brand_when_the_brand_can_carry_data():
    blue, *_ = _palette("blue")
    assert blue.categorical[0] == "#0b5394"  # the brand itself, it needs no change
    green, *_ = _palette("green")
    assert green.categorical[0] == "#2f6b2f"
    yellow, *_ = _palette("yellow")  # darkened yellow is mustard: not used, whatever the brand says
    assert _hue(yellow.categorical[0])[2] > 115
    red, *_ = _palette("red")
    assert not any(_hue(c)[2] < 50 for c in red.categorical)


def test_the_sequential_steps_run_from_light_to_dark_in_one_hue():
    palette, *_ = _palette("blue")
    lightness = [_hue(c)[0] for c in palette.sequential]
    assert lightness == sorted(lightness, reverse=True) and lightness[0] - lightness[-1] > 0.2
    hues = [_hue(c)[2] for c in palette.sequential]
    assert max(hues) - min(hues) < 25
    assert palette.steps(5) == [palette.sequential[i] for i in (0, 2, 4, 7, 9)]
    dark, *_ = _palette("dark page")  # on a dark page the steps grow lighter instead
    assert _hue(dark.sequential[0])[0] < _hue(dark.sequential[-1])[0]
