"""Comparing the words of an export with those of survey.yaml and the population figures.

Labels are compared after :func:`norm` (case, accents, punctuation and HTML ignored), so
"Niet tevreden/niet ontevreden" is "Niet tevreden, niet ontevreden". Age bands are compared
as ranges of years, so "18 t/m 34 jaar" is the population's "18-34".
"""

from __future__ import annotations

import difflib
import html
import math
import re
import unicodedata

_TAG = re.compile(r"<[^>]+>")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def norm(text) -> str:
    """Lowercase words without accents, punctuation or HTML: the form labels are compared in."""
    if text is None:
        return ""
    text = html.unescape(_TAG.sub(" ", str(text)))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NON_WORD.sub(" ", text).strip()


def similar(a: str, b: str) -> float:
    """How alike two labels are, 0 to 1, after :func:`norm`."""
    a, b = norm(a), norm(b)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def best_match(text: str, candidates: dict, cutoff: float = 0.92):
    """The candidate key whose text is (nearly) the same as ``text``; None when none or two are."""
    target = norm(text)
    if not target:
        return None
    exact = [key for key, value in candidates.items() if norm(value) == target]
    if exact:
        return exact[0] if len(exact) == 1 else None
    scored = sorted(((similar(text, value), key) for key, value in candidates.items()), key=lambda s: -s[0])
    if scored and scored[0][0] >= cutoff and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.02):
        return scored[0][1]
    return None


# How tools and people write a ticked and an unticked box.
TICKED = {
    "1",
    "y",
    "yes",
    "ja",
    "j",
    "x",
    "true",
    "waar",
    "waar",
    "gekozen",
    "aangevinkt",
    "selected",
    "checked",
    "genoemd",
}
UNTICKED = {
    "0",
    "n",
    "no",
    "nee",
    "false",
    "onwaar",
    "niet gekozen",
    "not selected",
    "unchecked",
    "niet aangevinkt",
    "niet genoemd",
}
NOT_SHOWN = {"n a", "na", "nvt", "niet van toepassing", "not shown"}


# --- age bands ---------------------------------------------------------------

_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|–|—|t/m|tm|tot en met|to|through)\s*(\d{1,3})(?:\s*jaar)?$")
_UNTIL = re.compile(r"^(\d{1,3})\s*tot\s*(\d{1,3})(?:\s*jaar)?$")  # Dutch "tot": up to, not including
_AND_OVER = re.compile(
    r"^(\d{1,3})\s*(?:\+|\+\s*jaar|jaar\s*\+|jaar en ouder|jaar of ouder|en ouder|of ouder|"
    r"and over|and older|or older|plus|jaar en meer|en meer)$"
)
_UNDER = re.compile(r"^(?:jonger dan|onder|under|younger than|<)\s*(\d{1,3})(?:\s*jaar)?$")
_UP_TO = re.compile(r"^(?:tot en met|t/m|tm|up to)\s*(\d{1,3})(?:\s*jaar)?$")
_BELOW = re.compile(r"^tot\s*(\d{1,3})(?:\s*jaar)?$")  # "tot 35 jaar": under 35
_SINGLE = re.compile(r"^(\d{1,3})(?:\s*jaar)?$")


def age_band(text) -> tuple[float, float] | None:
    """The years (first, last) of an age band written like 18-34, 18 t/m 34, 65+ or 65 jaar en ouder."""
    if text is None:
        return None
    t = " ".join(str(text).strip().lower().replace("\u2009", " ").split())
    if m := _RANGE.match(t):
        lo, hi = int(m.group(1)), int(m.group(2))
        return (lo, hi) if lo <= hi else None
    if m := _UNTIL.match(t):
        lo, hi = int(m.group(1)), int(m.group(2)) - 1
        return (lo, hi) if lo <= hi else None
    if m := _AND_OVER.match(t):
        return (int(m.group(1)), math.inf)
    if m := _UNDER.match(t):
        return (0, int(m.group(1)) - 1)
    if m := _UP_TO.match(t):
        return (0, int(m.group(1)))
    if m := _BELOW.match(t):
        return (0, int(m.group(1)) - 1)
    return None


def age_bands(categories) -> dict | None:
    """Category → (first, last) year when every category is an age band, else None."""
    bands = {c: age_band(c) for c in categories}
    if len(bands) < 2 or any(b is None for b in bands.values()):
        return None
    return bands


def band_of(age: float, bands: dict):
    """The category whose band holds ``age`` (whole years), or None."""
    for category, (lo, hi) in bands.items():
        if lo <= age <= hi:
            return category
    return None


# How exports write the sexes (LimeSurvey's gender question: M and F).
SEXES = {
    "man": {"m", "man", "male", "mannelijk", "mannen", "heer", "dhr"},
    "vrouw": {"v", "f", "vrouw", "female", "vrouwelijk", "vrouwen", "mevrouw", "mw"},
}


def same_category(text, category: str, bands: dict | None) -> bool:
    """Whether a value or label names a population category: the same words, the same age band, or M/F for man/vrouw."""
    words, wanted = norm(text), norm(category)
    if words == wanted:
        return True
    if wanted in SEXES and words in SEXES[wanted]:
        return True
    return bands is not None and age_band(text) is not None and age_band(text) == bands.get(category)
