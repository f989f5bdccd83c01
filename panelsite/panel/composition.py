"""The panel against the population: shares, growth, response per group, recruitment, weights.

No HTML here (see ``pages.py``); every figure is computed from the register
(``register.py``) and ``municipality.population``.

Shares. For a variable, the panel share of category c is ``members_c / known · 100``
where ``known`` counts the active members with a value for that variable
(members who did not say are counted apart as "onbekend"); the population
share is ``N_c / ΣN · 100``; the difference is panel − population in
percentage points and the ratio panel / population.

Disclosure control: the results pages' rule (surveys/figures.py), via
:func:`hidden`. A group of fewer than ``results.min_n`` members is hidden; when
exactly one group with people in it is hidden, the next smallest shown group
is hidden too (on a tie the first in population order), so the first cannot be
derived from the total. "onbekend" counts as a group. Population figures are
public and always shown. Panel sizes over time are not suppressed: a head
count says nothing about anyone's background.

Recruitment to proportionality, for each variable separately: with
``share_c = N_c / ΣN``, the smallest panel in which every category reaches its
share without anyone leaving is ``N_target = max_c members_c / share_c``; then
``recruit_c = ceil(share_c · N_target − members_c)``. The category with the
largest ratio needs nobody. Categories with population 0 are left out.

Weights without recruitment: the active members with a value for every
variable are raked to the population margins with the survey weighting code
(``surveys.weighting.rake``), without a cap and with cap 5; reported are the
largest and smallest weight, the Kish design effect ``deff = n·Σw²/(Σw)²`` and
the effective sample size ``n_eff = (Σw)²/Σw²``.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import numpy as np

from panelsite.panel.register import Register
from panelsite.surveys.disclosure import hidden
from panelsite.surveys.weighting import NotConverged, rake

UNKNOWN = "onbekend"


# --------------------------------------------------------------------------
# composition


@dataclass
class Group:
    category: str
    members: int  # active members in the category
    population: int
    panel_pct: float  # of active members with a known value
    population_pct: float
    suppressed: bool = False

    @property
    def difference(self) -> float:
        """Panel − population, percentage points."""
        return self.panel_pct - self.population_pct

    @property
    def ratio(self) -> float:
        return self.panel_pct / self.population_pct if self.population_pct else math.nan


@dataclass
class VariableComposition:
    variable: str
    groups: list[Group]  # population order
    unknown: int  # active members without a value
    unknown_suppressed: bool = False

    @property
    def known(self) -> int:
        return sum(g.members for g in self.groups)


@dataclass
class GrowthPoint:
    year: int
    quarter: int  # 1–4
    end: _dt.date  # last day of the quarter, or the register date for the current quarter
    members: int  # active on ``end``
    complete: bool  # False: the current quarter, counted up to the register date


@dataclass
class Composition:
    date: _dt.date  # of the register
    size: int  # active members on that date
    variables: list[VariableComposition]
    growth: list[GrowthPoint]
    population_source: str | None
    population_date: object
    min_n: int
    register_file: str


def compose(register: Register, municipality) -> Composition:
    min_n = municipality.results.min_n  # the schema's rule: default 10, never below 5
    active = register.active()
    variables = [variable_composition(v, active[v].value_counts().to_dict(), int(active[v].isna().sum()),
                                      municipality.population.variables[v], min_n)
                 for v in register.variables]
    population = municipality.population
    return Composition(register.date, len(active), variables, growth(register), population.source,
                       population.date, min_n, register.file)


def variable_composition(variable: str, members: dict, unknown: int, population: dict,
                         min_n: int) -> VariableComposition:
    """One variable: ``members`` and ``population`` map category → count."""
    known = sum(int(members.get(c, 0)) for c in population)
    total = sum(population.values())
    groups = [Group(str(c), int(members.get(c, 0)), int(n), int(members.get(c, 0)) / known * 100 if known else math.nan,
                    n / total * 100) for c, n in population.items()]
    counts = [g.members for g in groups] + ([unknown] if unknown else [])
    flags = hidden(counts, min_n)
    for g, flag in zip(groups, flags):
        g.suppressed = flag
    return VariableComposition(variable, groups, unknown, bool(unknown) and flags[-1])


def quarter_end(year: int, quarter: int) -> _dt.date:
    return _dt.date(year, 12, 31) if quarter == 4 else _dt.date(year, 3 * quarter + 1, 1) - _dt.timedelta(days=1)


def growth(register: Register) -> list[GrowthPoint]:
    """Active members at the end of every quarter from the first member's quarter on;
    the current quarter up to the register date."""
    first, last = register.members["joined"].min().date(), register.date
    year, quarter = first.year, (first.month - 1) // 3 + 1
    points = []
    while True:
        end = quarter_end(year, quarter)
        complete = end <= last
        day = end if complete else last
        points.append(GrowthPoint(year, quarter, day, int(register.active_on(day).sum()), complete))
        if not complete or end == last:
            return points
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


# --------------------------------------------------------------------------
# response per group (results pages, method section)


@dataclass
class ResponseGroup:
    category: str
    invited: int  # active members on the first day of fieldwork
    responded: int  # rows in responses.csv
    suppressed: bool = False

    @property
    def rate(self) -> float:
        return self.responded / self.invited * 100 if self.invited else math.nan


@dataclass
class ResponseByVariable:
    variable: str
    groups: list[ResponseGroup]  # population order, then "onbekend" when anyone is unknown


def response_by_group(register: Register, survey, municipality) -> list[ResponseByVariable]:
    """Invited against responded per category of every population variable in responses.csv.

    A group is hidden when it has fewer than ``min_n`` invited or respondents
    (the smaller of the two goes into :func:`hidden`; a group with invited
    members counts as having people in it).
    """
    min_n = municipality.results.min_n  # the schema's rule: default 10, never below 5
    invited_members = register.members[register.active_on(survey.fieldwork_start)]
    out = []
    for variable, categories in municipality.population.variables.items():
        if variable not in survey.responses.columns or variable not in invited_members.columns:
            continue
        invited = invited_members[variable].value_counts().to_dict()
        responded = survey.responses[variable].value_counts().to_dict()
        groups = [ResponseGroup(str(c), int(invited.get(c, 0)), int(responded.get(c, 0))) for c in categories]
        unknown = ResponseGroup(UNKNOWN, int(invited_members[variable].isna().sum()),
                                int(survey.responses[variable].isna().sum()))
        if unknown.invited or unknown.responded:
            groups.append(unknown)
        flags = hidden([min(g.invited, g.responded) for g in groups], min_n,
                       [g.invited > 0 or g.responded > 0 for g in groups])
        for g, flag in zip(groups, flags):
            g.suppressed = flag
        out.append(ResponseByVariable(variable, groups))
    return out


# --------------------------------------------------------------------------
# staff report: recruitment and weights


@dataclass
class Recruit:
    category: str
    members: int
    share: float  # population share, 0–1
    recruit: int


def recruitment(vc: VariableComposition) -> tuple[float, list[Recruit]]:
    """(N_target, per category the members to recruit) for one variable; see the module text."""
    total = sum(g.population for g in vc.groups)
    shares = {g.category: g.population / total for g in vc.groups}
    target = max((g.members / shares[g.category] for g in vc.groups if shares[g.category] > 0), default=0.0)
    rows = []
    for g in vc.groups:
        share = shares[g.category]
        need = math.ceil(share * target - g.members - 1e-9) if share > 0 else 0  # 1e-9: 30.000000001 is 30
        rows.append(Recruit(g.category, g.members, share, max(0, need)))
    return target, rows


@dataclass
class PanelWeights:
    cap: float | None
    n: int  # members raked
    excluded: int  # active members with an unknown value for one of the variables
    max_weight: float | None = None
    min_weight: float | None = None
    deff: float | None = None
    n_eff: float | None = None
    problem: str | None = None  # why there are no weights


def kish(weights: np.ndarray) -> tuple[float, float]:
    """(design effect, effective n) of a set of weights."""
    total, squares = float(weights.sum()), float(np.sum(weights**2))
    return len(weights) * squares / total**2, total**2 / squares


def panel_weights(register: Register, municipality, cap: float | None) -> PanelWeights:
    """Rake the active panel to the population margins (as if everyone responded)."""
    active = register.active()
    variables = register.variables
    complete = active[variables].notna().all(axis=1).to_numpy() if variables else np.ones(len(active), bool)
    members = active[complete]
    n = len(members)
    result = PanelWeights(cap, n, int((~complete).sum()))
    if n == 0:
        result.problem = "geen actieve leden met een bekende waarde voor elke variabele"
        return result
    categories, targets, empty = [], [], []
    for v in variables:
        population = np.array(list(municipality.population.variables[v].values()), dtype=float)
        codes = members[v].cat.codes.to_numpy().astype(np.intp)
        counts = np.bincount(codes, minlength=len(population))
        empty += [f"{c} ({v})" for c, k, p in zip(municipality.population.variables[v], counts, population)
                  if k == 0 and p > 0]
        categories.append(codes)
        targets.append(population / population.sum() * n)
    if empty:
        result.problem = "geen leden in " + ", ".join(empty) + ": die groepen kunnen niet worden opgewogen"
        return result
    try:
        weights, _ = rake(categories, targets, cap)
    except NotConverged:
        result.problem = "de weging komt niet tot rust (te weinig leden in sommige groepen)"
        return result
    result.deff, result.n_eff = kish(weights)
    result.max_weight, result.min_weight = float(weights.max()), float(weights.min())
    return result
