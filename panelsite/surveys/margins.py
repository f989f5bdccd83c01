"""Whether a survey can be weighted to its population figures: the checks made while loading.

Apart from the weighting itself (weighting.py) and free of pandas: the loader runs them on every
build, from the respondents per category it keeps with each response table (loader.py), also
when the table itself is not read back from the build cache.
"""

from __future__ import annotations

from panelsite.errors import Problem

# How far apart the totals of the variables weighted by may be (relative to the largest): CBS
# rounds each count to a multiple of 5, so figures from one table differ by a few per thousand.
MARGIN_TOLERANCE = 0.01


def check_totals(survey, municipality) -> list[Problem]:
    """The variables a survey weights by must count one population: each variable's shares are
    spread over the respondents, so a variable counted for another population (all ages beside
    18+ only) shifts every weighted figure without a word."""
    if not survey.weighting:
        return []
    figures = municipality.population.variables
    totals = {v: sum(figures[v].values()) for v in survey.weighting.by if v in figures}
    if len(totals) < 2:
        return []
    # The reference: the total most variables agree on (within the tolerance), the first on a tie.
    def agreeing(total):
        return [v for v, t in totals.items() if _apart(t, total) <= MARGIN_TOLERANCE]

    reference = max(totals, key=lambda v: len(agreeing(totals[v])))
    same = agreeing(totals[reference])
    others = " and ".join([", ".join(same[:-1]), same[-1]] if len(same) > 1 else same)
    problems = []
    for var, total in totals.items():
        apart = _apart(total, totals[reference])
        if apart > MARGIN_TOLERANCE:
            message = (f"the counts add up to {total:,}, those of {others} to {totals[reference]:,}: {apart:.1%} apart "
                       f"(expected every variable weighted by ({', '.join(totals)}) to count the same population, "
                       f"within {MARGIN_TOLERANCE:.0%}: otherwise weighting changes every weighted figure)")
            where = getattr(municipality, "problem", None)
            problems.append(where(f"population.{var}", message) if where else survey.problem("weighting.by", message))
    return problems


def _apart(a: float, b: float) -> float:
    return abs(a - b) / max(a, b) if max(a, b) else 0.0


def check_margins(survey, municipality, counts: dict[str, dict]) -> list[Problem]:
    """Weighting categories without respondents cannot be weighted up: one problem each; and
    the variables weighted by must count the same population (check_totals).

    ``counts``: respondents per category of each variable weighted by (weighting.category_counts).
    """
    if not survey.weighting:
        return []
    problems = check_totals(survey, municipality)
    if not survey.has_responses:
        return problems
    for i, var in enumerate(survey.weighting.by):
        for category, population in municipality.population.variables[var].items():
            if population > 0 and counts[var].get(category, 0) == 0:
                problems.append(survey.problem(
                    f"weighting.by.{i}",
                    f'no respondents in category "{category}" of {var} in {survey.csv_file} '
                    "(expected at least one; merge the category with a neighbouring one in the population figures, "
                    f"or stop weighting by {var})",
                ))
    return problems
