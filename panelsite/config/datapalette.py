"""The data palette: the colours of chart bars and series, derived from the house style.

Every bar taking the brand colour made a red brand's results look alarming and a yellow
brand's bars mustard (the contrast fix darkens yellow to brown). This module picks chart
colours that are

* derived from the brand: its primary and secondary colour come first, when usable;
* never grey (the colour of "weet niet") and never an alert colour: no red-ish hue (OKLCH
  hue below 50° or from 350°), whatever the brand, and no darkened yellow (hue 65°–115°
  that had to be made darker than OKLCH lightness 0.75 to reach the contrast: that is
  mustard or olive);
* at least 3:1 against the page background and the tinted surface (WCAG 2.1 SC 1.4.11),
  with a label colour (the text or background colour) at 4.5:1 on the bar itself, so a
  value can stand inside a long bar;
* colour-blind safe: each categorical colour differs from every other by a CIEDE2000
  distance of at least ``MIN_DISTANCE`` for normal vision and for simulated protanopia,
  deuteranopia and tritanopia (ColorAide's Brettel / Viénot filters).

``categorical`` is for series and answers that have no order (panel and all residents, a
series of rounds, the options of a single or multi question); ``sequential`` is one hue
from light to dark for ordered answers (a scale, a report mark).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from coloraide import Color

NON_TEXT = 3.0
TEXT = 4.5
SEQUENTIAL_STEPS = 10
MIN_DISTANCE = 12.0  # CIEDE2000 between two categorical colours, in every kind of vision
MAX_CATEGORICAL = 6
VISION = (None, "protan", "deutan", "tritan")

# Colour-blind-friendly anchors (after Okabe & Ito and Paul Tol), tried after the brand's own
# colours: blue, orange, bluish green, purple, plum, teal, green.
ANCHORS = ("#0072b2", "#c25e00", "#009e73", "#6a3d9a", "#8a2f6b", "#00607a", "#2f6b2f")


@dataclass(frozen=True)
class DataPalette:
    categorical: tuple[str, ...]
    sequential: tuple[str, ...]  # SEQUENTIAL_STEPS colours, lightest first on a light background
    labels: dict  # colour → the colour of a value written on it (4.5:1)

    def steps(self, n: int) -> list[str]:
        """``n`` colours of the sequential ramp, spread over it: for a scale of ``n`` answers."""
        if n <= 1:
            return [self.sequential[-1]] * n
        last = len(self.sequential) - 1
        return [self.sequential[round(i * last / (n - 1))] for i in range(n)]


def _contrast(a: str, b: str) -> float:
    return Color(a).contrast(b, method="wcag21")


def _hex(c: Color) -> str:
    return c.convert("srgb").fit("srgb").to_string(hex=True)


def _alert(colour: Color) -> bool:
    _, chroma, hue = colour.convert("oklch").coords(nans=False)
    return chroma > 0.05 and (hue < 50 or hue >= 350)


def _grey(colour: Color) -> bool:
    """Grey is the colour of "weet niet" and of the text: no data colour of its own."""
    return colour.convert("oklch").coords(nans=False)[1] < 0.03


def _mustard(original: Color, adjusted: Color) -> bool:
    lightness, chroma, hue = adjusted.convert("oklch").coords(nans=False)
    darkened = lightness < original.convert("oklch").coords(nans=False)[0] - 0.01
    return chroma > 0.05 and 65 <= hue < 115 and lightness < 0.75 and darkened


def label_for(colour: str, text: str, background: str) -> str | None:
    """The colour a value written on a bar of ``colour`` takes: text or background, at 4.5:1."""
    best = max((text, background), key=lambda c: _contrast(c, colour))
    return best if _contrast(best, colour) >= TEXT else None


def _usable(colour: str, background: str, surface: str, text: str) -> bool:
    return (_contrast(colour, background) >= NON_TEXT and _contrast(colour, surface) >= NON_TEXT
            and label_for(colour, text, background) is not None)


def _adjust(colour: str, background: str, surface: str, text: str) -> str | None:
    """The colour with its hue and chroma at the nearest OKLCH lightness that is usable."""
    if _usable(colour, background, surface, text):
        return colour
    base = Color(colour).convert("oklch")
    lightness = base["lightness"]
    for step in range(1, 201):
        for direction in (-1, 1):
            candidate = base.clone().set("lightness", lightness + direction * step * 0.005)
            if 0 <= candidate["lightness"] <= 1:
                text_hex = _hex(candidate)
                if _usable(text_hex, background, surface, text):
                    return text_hex
    return None


def _distance(a: str, b: str) -> float:
    """The smallest CIEDE2000 distance of two colours over normal and simulated colour-blind vision."""
    ca, cb = Color(a), Color(b)
    distances = []
    for kind in VISION:
        fa, fb = (ca, cb) if kind is None else (ca.filter(kind), cb.filter(kind))
        distances.append(fa.convert("srgb").fit("srgb").delta_e(fb.convert("srgb").fit("srgb"), method="2000"))
    return min(distances)


@lru_cache(maxsize=64)
def data_palette(primary: str, secondary: str, background: str, surface: str, text: str) -> DataPalette:
    """The data palette of a house style (the brand's colours as given, before any contrast fix)."""
    chosen: list[str] = []
    for candidate in (primary, secondary, *ANCHORS):
        adjusted = _adjust(candidate, background, surface, text)
        if (adjusted is None or _grey(Color(adjusted)) or _alert(Color(adjusted))
                or _mustard(Color(candidate), Color(adjusted))):
            continue
        if all(_distance(adjusted, other) >= MIN_DISTANCE for other in chosen):
            chosen.append(adjusted)
        if len(chosen) == MAX_CATEGORICAL:
            break
    if len(chosen) < 2:  # two series at least (panel and all residents): the most distinct one left
        rest = [a for a in (_adjust(c, background, surface, text) for c in ANCHORS) if a and a not in chosen
                and not _alert(Color(a))]
        chosen.append(max(rest, key=lambda c: min((_distance(c, o) for o in chosen), default=0.0)))
    sequential = _ramp(chosen[0], background, surface, text)
    labels = {c: label_for(c, text, background) for c in (*chosen, *sequential)}
    return DataPalette(tuple(chosen), tuple(sequential), labels)


def _ramp(colour: str, background: str, surface: str, text: str) -> list[str]:
    """SEQUENTIAL_STEPS shades of one hue, from the lightest usable one to a dark one (on a light
    background; the other way round on a dark one), each usable: a shade whose value label would
    not reach 4.5:1 with either label colour is moved to the nearest one that does."""
    base = Color(colour).convert("oklch")
    dark_page = Color(background).luminance() < 0.18
    usable = [lightness / 200 for lightness in range(0, 201)
              if _usable(_hex(base.clone().set("lightness", lightness / 200)), background, surface, text)]
    if not usable:
        return [colour] * SEQUENTIAL_STEPS
    light_end = max(usable) if not dark_page else min(usable)
    # the far end: dark enough to stand apart, not so dark it reads as the text colour
    far_end = max(min(usable), 0.3) if not dark_page else min(max(usable), 0.9)
    steps = []
    for i in range(SEQUENTIAL_STEPS):
        target = light_end + (far_end - light_end) * i / (SEQUENTIAL_STEPS - 1)
        nearest = min(usable, key=lambda lightness: abs(lightness - target))
        steps.append(_hex(base.clone().set("lightness", nearest)))
    return steps
