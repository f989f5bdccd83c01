"""Background variables of a resident, named and coded as the population figures.

The sign-up asks a birth year (or an age group), gender and district (or a
postcode); the results pipeline weights by ``population.<variable>`` categories.
``background`` maps the cleaned form values onto those categories, so the member
and response exports need no hand work.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re

from panelsite.forms.model import Form

BAND = re.compile(r"(\d+)\s*(?:-|–|tot en met|t/m|tot)\s*(\d+)")
OPEN_END = re.compile(r"(\d+)\s*(?:\+|jaar en ouder|en ouder|of ouder)")


def age_category(birth_year: int, categories, today: _dt.date | None = None) -> str | None:
    """The population age band ("18-34", "65+") for a birth year, by age reached this year."""
    age = (today or _dt.date.today()).year - int(birth_year)
    for text, low, high in _age_bands(tuple(str(category) for category in categories)):
        if low <= age <= high:
            return text
    return None


@functools.lru_cache(maxsize=256)  # the same few age variables on every sign-up and answer
def _age_bands(categories: tuple[str, ...]) -> tuple[tuple[str, int, float], ...]:
    """(category, lowest age, highest age) for each category that names a band ("18-34") or an open end ("65+")."""
    bands = []
    for text in categories:
        band = BAND.search(text)
        end = OPEN_END.search(text)
        if band:
            bands.append((text, int(band.group(1)), int(band.group(2))))
        elif end:
            bands.append((text, int(end.group(1)), math.inf))
    return tuple(bands)


def background(form: Form, values: dict, municipality, today: _dt.date | None = None) -> dict:
    """``{variable: category}`` for every field that feeds a population variable.

    Answers outside the population categories ("anders", "zeg ik liever niet")
    become None: unknown for weighting, never a category of their own.
    """
    variables = municipality.population.variables
    out: dict = {}
    for f in form.fields:
        if not f.variable or f.name not in values or f.variable not in variables:
            continue
        value = values[f.name]
        categories = list(variables[f.variable])
        if f.type == "year":
            out[f.variable] = age_category(value, categories, today)
        elif f.type == "postcode":
            out[f.variable] = f.postcodes.get(str(value))
        else:
            out[f.variable] = value if value in categories else None
    return out
