"""The figures of every base of a survey at once, on numpy arrays.

Every base of a question (the total and each breakdown group) is a row of
one table, and all rows are summed at once, one np.bincount each for counts,
weights and squared weights: each respondent counts once per partition (the
total, then each breakdown), in a row of its own. A bincount adds each bin's
weights in respondent order, so every row holds the very floats that summing
its base alone would give.

Means, medians and multi questions need the members of a base as arrays:
ordered by row, each base is a contiguous run in respondent order, and copies
of those runs go to the same numpy/BLAS calls on the same values as summing
one base at a time would. All shares of a survey get their Wilson intervals
in one vectorised call. Bases that disclosure control hides are not computed.

``question_figures`` is the entry point (see ``estimates.estimate``); the
formulas are in :mod:`panelsite.surveys.formulas`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from panelsite.surveys.definition import GRADES, Question, Survey
from panelsite.surveys.design import Design, influence_terms
from panelsite.surveys.disclosure import hidden
from panelsite.surveys.figures import (
    LINEARISATION,
    WILSON,
    Estimate,
    Figures,
    MissingResult,
    OptionResult,
    suppress,
    suppress_groups,
)
from panelsite.surveys.formulas import Z, mean_interval, sorted_median, weighted_mean, wilson_arrays
from panelsite.surveys.significance import compare_arrays, rao_scott
from panelsite.surveys.weighting import category_codes


class Columns:
    """The response columns as numpy arrays, each taken from the DataFrame once."""

    def __init__(self, data: pd.DataFrame):
        self.data = data
        self.cache: dict[str, np.ndarray] = {}

    def __call__(self, name: str) -> np.ndarray:
        if name not in self.cache:
            self.cache[name] = self.data[name].to_numpy()
        return self.cache[name]


@dataclass
class Bases:
    """The total and every breakdown group as the rows of one table (row 0: the total)."""

    groups: list[str | None]  # row -> group name; None for the total
    partitions: list[tuple[str | None, range]]  # the total (None) and each breakdown variable, with its rows
    rows: np.ndarray  # partitions × respondents: the row each respondent counts in; `spare` if none
    sortable: np.ndarray  # rows as int16 where they fit: a stable sort of those is a radix sort
    weights: np.ndarray  # the weights, once per partition (to go with rows.ravel())
    squares: np.ndarray  # their squares, likewise
    zero_square: bool  # some weight squares to 0, so a base can have no effective size
    design: Design  # the weighting, for design-based standard errors
    margin_cells: np.ndarray  # (partitions · margins) × respondents: row × C + weighting category
    margin_squares: np.ndarray  # the squared weights, once per partition and margin (with margin_cells.ravel())
    orders: dict = field(default_factory=dict)  # partition -> respondents sorted by row (stable)

    @property
    def spare(self) -> int:
        return len(self.groups)

    def tables(self, column: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Counts, sums of weights and of squared weights per row and value of ``column`` (0..width-1)."""
        cells = (self.rows * width + column).ravel()
        size, shape = (self.spare + 1) * width, (self.spare + 1, width)
        counts = np.bincount(cells, minlength=size).reshape(shape)[: self.spare]
        sums = np.bincount(cells, weights=self.weights, minlength=size).reshape(shape)[: self.spare]
        squares = np.bincount(cells, weights=self.squares, minlength=size).reshape(shape)[: self.spare]
        return counts, sums, squares

    def margin_tables(self, column: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Counts and sums of squared weights per row, weighting category and value of ``column``
        (rows × C × width): what the design-based variances are computed from."""
        size = self.design.size
        cells = (self.margin_cells * width + column).ravel()
        length, shape = (self.spare + 1) * size * width, (self.spare + 1, size, width)
        counts = np.bincount(cells, minlength=length).reshape(shape)[: self.spare]
        squares = np.bincount(cells, weights=self.margin_squares, minlength=length).reshape(shape)[: self.spare]
        return counts.astype(float), squares

    def margin_sums(self, mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Σ over respondents in ``mask`` per row and weighting category of each of ``values``
        (a list of respondent arrays): values × rows × C."""
        size = self.design.size
        cells = np.where(mask, self.margin_cells, self.spare * size).ravel()
        length = (self.spare + 1) * size
        reps = len(self.margin_cells)
        return np.array([np.bincount(cells, weights=np.tile(v, reps), minlength=length)[: self.spare * size]
                         .reshape(self.spare, size) for v in values])

    def row_sums(self, mask: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Σ over respondents in ``mask`` per row of each of ``values``: values × rows."""
        cells = np.where(mask, self.rows, self.spare).ravel()
        reps = len(self.rows)
        return np.array([np.bincount(cells, weights=np.tile(v, reps), minlength=self.spare + 1)[: self.spare]
                         for v in values])

    def sizes(self, mask: np.ndarray) -> list[int]:
        """Respondents in ``mask`` per row."""
        cells = np.where(mask, self.rows, self.spare).ravel()
        return np.bincount(cells, minlength=self.spare + 1)[: self.spare].tolist()

    def shown(self, sizes: list[int], min_n: int) -> list[bool]:
        """Which rows may be published: the total from min_n on, the groups by the disclosure rule."""
        out = [sizes[0] >= min_n]
        for _, rows in self.partitions[1:]:
            out += [not h for h in hidden(sizes[rows.start:rows.stop], min_n)]
        return out

    def members(self, mask: np.ndarray, sizes: list[int], needed: list[int]):
        """Per partition with rows in ``needed`` (``sizes``: respondents in ``mask`` per row):
        the partition, those rows, the respondents in ``mask`` ordered by row (within a
        row in respondent order), and where each needed row starts and ends in that order."""
        for p, (_, rows) in enumerate(self.partitions):
            wanted = [r for r in needed if r in rows]
            if not wanted:
                continue
            if p == 0:
                yield p, wanted, np.flatnonzero(mask), {0: (0, sizes[0])}
                continue
            if p not in self.orders:
                self.orders[p] = np.argsort(self.sortable[p], kind="stable")
            order = self.orders[p]
            bounds, start = {}, 0
            for r in rows:
                bounds[r] = (start, start + sizes[r])
                start += sizes[r]
            yield p, wanted, order[mask[order]], bounds


def bases_of(survey: Survey, municipality, data: pd.DataFrame, weights: np.ndarray, design: Design) -> Bases:
    n = len(data)
    groups: list[str | None] = [None]
    partitions: list[tuple[str | None, range]] = [(None, range(0, 1))]
    codes = [np.zeros(n, np.intp)]
    for var in survey.breakdowns:
        categories = list(municipality.population.variables[var])
        start = len(groups)
        groups += [str(c) for c in categories]
        partitions.append((var, range(start, len(groups))))
        codes.append(category_codes(data[var]).astype(np.intp) + start if n else np.zeros(0, np.intp))
    spare = len(groups)
    rows = np.empty((len(partitions), n), np.intp)
    for p, ((_, members), c) in enumerate(zip(partitions, codes)):
        rows[p] = np.where((c >= members.start) & (c < members.stop), c, spare)
    squares = weights * weights
    margins = design.categories
    return Bases(
        groups, partitions, rows,
        sortable=rows.astype(np.int16) if spare < 2**15 else rows,
        weights=np.tile(weights, len(partitions)),
        squares=np.tile(squares, len(partitions)),
        zero_square=bool(n) and not bool(squares.min() > 0),
        design=design,
        margin_cells=(rows[:, None, :] * design.size + margins[None, :, :]).reshape(len(partitions) * len(margins), n),
        margin_squares=np.tile(squares, len(partitions) * len(margins)),
    )


class Shares:
    """The shares of a whole survey, to give them their intervals in one vectorised call.

    A share of a base of at least ``indicative_n`` respondents whose interval
    ``p ± z·SE`` (SE design-based) stays within 0–100% gets that interval
    (LINEARISATION). Any other share gets the Wilson score interval on the
    design-based effective base ``p(1 − p) / SE²`` (on the Kish effective base
    where SE is 0, at 0% or 100%): the normal approximation behind ``p ± z·SE`` is
    poor for small bases and for shares near 0 or 100%, where it can even leave
    0–100%, and Wilson's interval is not (Brown, Cai & DasGupta 2001); on the
    effective base it keeps the weighting's effect on the width.
    """

    def __init__(self, indicative_n: int):
        self.indicative_n = indicative_n
        # (p, n_eff, se, n), one row per base
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.results: list[tuple[list, list, list, list, list]] = []

    def add(self, chosen: np.ndarray, total: list[float], n_eff: list[float], se: np.ndarray, n: list[int]) -> int:
        """Queue the shares ``chosen / total`` (a row per base; NaN where the total is 0)
        on effective sizes ``n_eff``, with standard errors ``se`` (0–1) and base sizes ``n``;
        returns the handle for ``get``."""
        total_, n_eff_ = np.array(total)[:, None], np.array(n_eff)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(total_ != 0, chosen / total_, math.nan)
        shape = p.shape
        self.blocks.append((p, np.broadcast_to(n_eff_, shape), np.broadcast_to(se, shape),
                            np.broadcast_to(np.array(n)[:, None], shape)))
        return len(self.blocks) - 1

    def compute(self) -> None:
        if not self.blocks:
            return
        p, n_eff, se, n = (np.concatenate([block[i].ravel() for block in self.blocks]) for i in range(4))
        with np.errstate(divide="ignore", invalid="ignore"):
            linear_low, linear_high = p - Z * se, p + Z * se
            effective = np.where(se > 0, p * (1 - p) / (se * se), n_eff)
        low, high = wilson_arrays(p, effective)
        linear = (n >= self.indicative_n) & (linear_low >= 0) & (linear_high <= 1) & (se > 0)
        low, high = np.where(linear, linear_low, low), np.where(linear, linear_high, high)
        method = np.where(linear, LINEARISATION, WILSON).tolist()
        pct, low, high, se = (p * 100).tolist(), (low * 100).tolist(), (high * 100).tolist(), (se * 100).tolist()
        start = 0
        for block in self.blocks:
            rows, width = block[0].shape
            cuts = range(start, start + rows * width, width)
            self.results.append(tuple([values[i:i + width] for i in cuts] for values in (pct, low, high, se, method)))
            start += rows * width

    def get(self, handle: int) -> tuple[list, list, list, list, list]:
        """Per base: the percentages, lower and upper bounds, standard errors (percent) and
        interval methods of the queued shares."""
        return self.results[handle]


@dataclass
class Prepared:
    """A question's answers as arrays, computed once for the total and all groups."""

    scope: np.ndarray  # meets the filter and answered (incl. missing codes)
    idx: np.ndarray | None = None  # option index; K.. missing codes; K+M not answered
    values: np.ndarray | None = None  # grade/number values
    chosen: np.ndarray | None = None  # multi: n × K, 1.0 where chosen


def prepare(q: Question, columns: Columns, filter_mask: np.ndarray) -> Prepared:
    data = columns.data
    n = len(data)
    if q.type == "multi":
        if not (n and q.columns):
            return Prepared(np.zeros(n, bool), chosen=np.zeros((n, len(q.options))))
        options = [np.asarray(columns(name), dtype=float) for name in q.columns]
        answered = ~np.isnan(options[0])
        for values in options[1:]:
            answered |= ~np.isnan(values)
        chosen = np.column_stack([values == 1 for values in options]).astype(float)
        return Prepared(filter_mask & answered, chosen=chosen)
    raw = columns(q.id)
    floats = raw.dtype.kind == "f"
    if q.type == "open":
        return Prepared(filter_mask & (~np.isnan(raw) if floats else data[q.id].notna().to_numpy()))
    codes = list(_option_codes(q)) + list(q.missing)
    lookup = {code: i for i, code in enumerate(codes)}
    if q.type == "number":  # every real number is "option" 0
        lookup = {code: i + 1 for i, code in enumerate(q.missing)}
        idx = _code_index(raw, lookup, 0)
        if idx is None:
            # a copy: pandas 3 may hand out read-only views
            idx = data[q.id].map(lookup).fillna(0).to_numpy(dtype=np.intp, copy=True)
        idx[np.isnan(raw) if floats else data[q.id].isna().to_numpy()] = len(lookup) + 1
    else:
        idx = _code_index(raw, lookup, len(codes))
        if idx is None:
            idx = data[q.id].map(lookup).fillna(len(codes)).to_numpy(dtype=np.intp)
    values = None
    if q.type in ("grade", "number"):
        values = raw if floats else data[q.id].to_numpy(dtype=float)
    answered = idx < _n_codes(q)
    return Prepared(filter_mask & answered, idx=idx, values=values)


def _code_index(values: np.ndarray, lookup: dict, default: int) -> np.ndarray | None:
    """``lookup[value]`` for every value (``default`` when absent) as Series.map
    would find it; None for value and code types it does not handle."""
    if not lookup:
        return np.full(len(values), default, np.intp)
    if values.dtype.kind == "O" and all(type(code) is str for code in lookup):
        out = np.full(len(values), default, np.intp)
        for code, i in lookup.items():
            out[values == code] = i
        return out
    if values.dtype.kind != "f" or not all(type(code) is int and abs(code) < 2**53 for code in lookup):
        return None
    low, high = min(lookup), max(lookup)
    if high - low < 1024:  # small whole codes: look whole values up in a table
        table = np.full(high - low + 2, default, np.intp)
        for code, i in lookup.items():
            table[code - low] = i
        with np.errstate(invalid="ignore"):
            whole = np.where((values >= low) & (values <= high), values, high + 1).astype(np.intp)
        return np.where(whole == values, table[whole - low], default)
    keys = np.array(list(lookup), dtype=float)
    order = np.argsort(keys)
    keys, found_at = keys[order], np.array(list(lookup.values()), dtype=np.intp)[order]
    at = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return np.where(keys[at] == values, found_at[at], default)


def _option_codes(q: Question):
    return list(GRADES) if q.type == "grade" else list(q.options)


def _n_options(q: Question) -> int:
    return 1 if q.type == "number" else len(_option_codes(q))


def _n_codes(q: Question) -> int:
    return _n_options(q) + len(q.missing)


def question_figures(q: Question, prep: Prepared, bases: Bases, w: np.ndarray, min_n: int, indicative_n: int,
                     shares: Shares):
    """Figures of every row (total, then each breakdown group), with disclosure control
    applied; returns a function that gives them once ``shares`` are computed."""
    if q.type == "open":
        sizes = bases.sizes(prep.scope)
        shown = {r: Figures(bases.groups[r], sizes[r]) for r, ok in enumerate(bases.shown(sizes, min_n)) if ok}
        build = lambda: shown  # noqa: E731
    elif q.type == "multi":
        sizes, build = _multi_figures(q, prep, bases, w, min_n, indicative_n, shares)
    else:
        sizes, build = _coded_figures(q, prep, bases, w, min_n, indicative_n, shares)

    def figures() -> list[Figures]:
        # Only the bases `bases.shown` lets through were computed; the disclosure rule
        # itself is applied here, by the same functions as for any list of groups.
        # A figure that suppress_groups hides loses its tests with it.
        shown = build()
        computed = [shown.get(r) or Figures(group, sizes[r]) for r, group in enumerate(bases.groups)]
        out = [suppress(computed[0], min_n, indicative_n)]
        for _, rows in bases.partitions[1:]:
            out += suppress_groups(computed[rows.start:rows.stop], min_n, indicative_n)
        return out

    return figures


def _tested(bases: Bases, rows: list[int], sizes: list[int], indicative_n: int) -> list[int]:
    """The shown groups tested against the rest: both the group and the rest have at least
    ``indicative_n`` respondents (smaller groups are not tested)."""
    return [r for r in rows if r and sizes[r] >= indicative_n and sizes[0] - sizes[r] >= indicative_n]


def _standard_errors(bases: Bases, levels: np.ndarray, theta: np.ndarray, tables, total: np.ndarray, m) -> np.ndarray:
    """SEs (B, J) of the statistics with ``levels`` (J × V) of bases with tables
    (counts, squares per category; squares per base) and totals W. ``m``: every respondent
    of the round, whatever the base (see :mod:`design`)."""
    a, b, s = influence_terms(*tables, levels, theta, total)
    return np.sqrt(bases.design.variance(a.transpose(0, 2, 1), b.transpose(0, 2, 1), s, m))


def _differences(bases: Bases, levels: np.ndarray, group, rest, m) -> np.ndarray:
    """SEs of group − rest for statistics with ``levels``: ``group`` and ``rest`` are
    (tables, θ, W) of each side (see ``_standard_errors``)."""
    ag, bg, sg = influence_terms(*group[0], levels, group[1], group[2])
    ar, br, sr = influence_terms(*rest[0], levels, rest[1], rest[2])
    variance = bases.design.variance((ag - ar).transpose(0, 2, 1), (bg - br).transpose(0, 2, 1), sg + sr, m)
    return np.sqrt(variance)


def _coded_figures(q: Question, prep: Prepared, bases: Bases, w: np.ndarray, min_n: int, indicative_n: int,
                   shares: Shares):
    """Single, scale, grade and number questions."""
    k_opt, k_all = _n_options(q), _n_codes(q)
    column = np.where(prep.scope, prep.idx, k_all)
    counts, sums, squares = bases.tables(column, k_all + 1)
    sizes = counts[:, :k_opt].sum(axis=1).tolist()
    totals = sums[:, :k_opt].sum(axis=1).tolist()
    # Computed for every base with respondents, shown or not: as before, a base
    # whose weights are all 0 stops the build here.
    n_eff = [t**2 / s if c else None for c, t, s in zip(sizes, totals, squares[:, :k_opt].sum(axis=1).tolist())]
    rows = [r for r, ok in enumerate(bases.shown(sizes, min_n)) if ok]
    if not rows:
        return sizes, lambda: {}
    tested = _tested(bases, rows, sizes, indicative_n)
    answered = sums[:, :k_all].sum(axis=1)[rows]
    all_sums, all_squares = sums[:, :k_opt], squares[:, :k_opt]
    sums, counts = sums[rows], counts[rows]
    total, n_eff = [totals[r] for r in rows], [n_eff[r] for r in rows]
    if q.type != "number":
        margin_counts, margin_squares = (table[..., :k_opt] for table in bases.margin_tables(column, k_all + 1))

    blocks = {}  # figure -> weights chosen per row; its shares become these columns, in order
    levels = {}  # figure -> which options it adds up (rows of 0/1 over the options)
    if q.type in ("single", "scale", "grade"):
        blocks["options"], levels["options"] = sums[:, :k_opt], np.eye(k_opt)

    def weight_of(name, codes) -> None:
        # Contiguous rows, so each row adds up as the 1-D sum it replaces.
        picked = [k for k, code in enumerate(q.options) if code in codes]
        blocks[name] = np.ascontiguousarray(sums[:, picked]).sum(axis=1)[:, None]
        levels[name] = np.isin(np.arange(k_opt), picked).astype(float)[None, :]

    if q.type in ("single", "scale"):
        weight_of("key", q.key_codes)
    if q.type == "scale":
        weight_of("top2", q.top2_codes)
    if q.type == "grade":
        blocks["share_8plus"] = sums[:, 7:10].sum(axis=1)[:, None]
        blocks["share_below6"] = sums[:, 0:5].sum(axis=1)[:, None]
        levels["share_8plus"] = (np.arange(1, 11) >= 8).astype(float)[None, :]
        levels["share_below6"] = (np.arange(1, 11) < 6).astype(float)[None, :]
    handle = None
    total_ = np.array(total)
    if blocks:
        chosen, level = np.concatenate(list(blocks.values()), axis=1), np.concatenate(list(levels.values()))
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = chosen / total_[:, None]
        tables = (margin_counts[rows], margin_squares[rows], all_squares[rows])
        se = _standard_errors(bases, level, theta, tables, total_, bases.design.n)
        handle = shares.add(chosen, total, n_eff, se, [sizes[r] for r in rows])
    with np.errstate(divide="ignore", invalid="ignore"):
        missing_pct = (sums[:, k_opt:k_all] / answered[:, None] * 100).tolist()
    missing_n, option_n = counts[:, k_opt:k_all].tolist(), counts[:, :k_opt].tolist()
    answered = answered.tolist()
    means = _means(q, prep, bases, w, rows, sizes) if q.type in ("grade", "number") else {}
    labels = q.options if q.type != "grade" else {g: str(g) for g in GRADES}
    key_tests, distribution_tests = {}, {}
    if means:
        grade = q.type == "grade"
        mean_se = _mean_errors(q, prep, bases, rows, sizes, means, total_, all_sums, all_squares,
                               margin_counts if grade else None, margin_squares if grade else None, tested, totals)
        means, key_tests = mean_se
    if q.type in ("single", "scale"):
        key_tests = _share_tests(bases, "key", blocks, levels, rows, tested, sizes, totals,
                                 all_sums, margin_counts, margin_squares, all_squares)
    if q.type in ("single", "scale", "grade") and tested:
        distribution_tests = _distribution_tests(bases, tested, sizes, all_sums, all_squares, margin_counts,
                                                 margin_squares)

    def build() -> dict[int, Figures]:
        pct, low, high, se, method = shares.get(handle) if handle is not None else ([], [], [], [], [])
        out = {}
        for j, r in enumerate(rows):
            missing = [
                MissingResult(code, label, c, share_)
                for (code, label), c, share_ in zip(q.missing.items(), missing_n[j], missing_pct[j])
            ] if answered[j] else []
            f = out[r] = Figures(bases.groups[r], sizes[r], n_eff=n_eff[j], missing=missing)
            column = 0
            for name in blocks:
                if name == "options":
                    f.options = [
                        OptionResult(code, label, c, *values)
                        for (code, label), c, values in zip(labels.items(), option_n[j],
                                                            zip(pct[j], low[j], high[j], se[j], method[j]))
                    ]
                    column += k_opt
                else:
                    setattr(f, name, Estimate(pct[j][column], low[j][column], high[j][column], se[j][column],
                                              method[j][column]))
                    column += 1
            if r in means:
                f.mean = f.key = means[r][0]
                f.median = means[r][1]
            f.versus_rest = key_tests.get(r)
            f.distribution_test = distribution_tests.get(r)
        return out

    return sizes, build


def _share_tests(bases: Bases, name: str, blocks: dict, levels: dict, rows: list[int], tested: list[int], sizes, totals,
                 all_sums, margin_counts, margin_squares, all_squares) -> dict:
    """Group − rest of the share ``name`` for each tested group (coded questions)."""
    if not tested:
        return {}
    level = levels[name]
    at = [rows.index(r) for r in tested]
    chosen = blocks[name][at, 0]
    picked = level[0] > 0
    chosen_total = np.ascontiguousarray(all_sums[0, picked]).sum()
    group_w = np.array([totals[r] for r in tested])
    rest_w = totals[0] - group_w
    theta_g, theta_r = chosen / group_w, (chosen_total - chosen) / rest_w
    group = ((margin_counts[tested], margin_squares[tested], all_squares[tested]), theta_g[:, None], group_w)
    rest = ((margin_counts[0] - margin_counts[tested], margin_squares[0] - margin_squares[tested],
             all_squares[0] - all_squares[tested]), theta_r[:, None], rest_w)
    se = _differences(bases, level, group, rest, bases.design.n)[:, 0]
    return dict(zip(tested, compare_arrays((theta_g - theta_r) * 100, se * 100)))


def _distribution_tests(bases: Bases, tested: list[int], sizes, all_sums, all_squares, margin_counts,
                        margin_squares) -> dict:
    """The Rao–Scott test of each tested group's answer distribution against the rest's."""
    side = lambda table: np.stack([table[tested], table[0][None] - table[tested]], axis=1)  # noqa: E731
    results = rao_scott(bases.design, bases.design.n, sizes[0] - 1, side(margin_counts), side(margin_squares),
                        side(all_squares), side(all_sums))
    return dict(zip(tested, results))


def _mean_errors(q: Question, prep: Prepared, bases: Bases, rows, sizes, means, total, all_sums, all_squares,
                 margin_counts, margin_squares, tested, totals):
    """Means with their design-based intervals, and group − rest of the mean for each tested group.

    Grades from their option tables (a grade is its option's value); numbers from sums of
    their values per row and weighting category."""
    theta = np.array([means[r][0] for r in rows])
    group_w = np.array([totals[r] for r in tested])
    if q.type == "grade":
        level = np.arange(1, 11, dtype=float)[None, :]
        tables = (margin_counts[rows], margin_squares[rows], all_squares[rows])
        se = _standard_errors(bases, level, theta[:, None], tables, total, bases.design.n)[:, 0]
        if tested:
            rest_mean = (all_sums[0] @ level[0] - all_sums[tested] @ level[0]) / (totals[0] - group_w)
            group = ((margin_counts[tested], margin_squares[tested], all_squares[tested]),
                     np.array([means[r][0] for r in tested])[:, None], group_w)
            rest = ((margin_counts[0] - margin_counts[tested], margin_squares[0] - margin_squares[tested],
                     all_squares[0] - all_squares[tested]), rest_mean[:, None], totals[0] - group_w)
            diff_se = _differences(bases, level, group, rest, bases.design.n)[:, 0]
    else:
        moments = _number_moments(prep, bases)
        se = np.sqrt(bases.design.variance(*_moment_terms(moments, rows, theta, total), bases.design.n))
        if tested:
            group_theta = theta[[rows.index(r) for r in tested]]
            rest_mean = (means[0][0] * totals[0] - group_theta * group_w) / (totals[0] - group_w)
            group_mean = np.array([means[r][0] for r in tested])
            ag, bg, sg = _moment_terms(moments, tested, group_mean, group_w)
            ar, br, sr = _moment_terms(moments, tested, rest_mean, totals[0] - group_w, rest=True)
            diff_se = np.sqrt(bases.design.variance(ag - ar, bg - br, sg + sr, bases.design.n))
    out = {r: (mean_interval(means[r][0], float(e)), means[r][1]) for r, e in zip(rows, se.tolist())}
    tests = {}
    if tested:
        diff = np.array([means[r][0] for r in tested]) - rest_mean
        tests = dict(zip(tested, compare_arrays(diff, diff_se)))
    return out, tests


def _number_moments(prep: Prepared, bases: Bases) -> dict:
    """Sums of 1, x, w², w²x per row and weighting category, and of w², w²x, w²x² per row,
    over the real answers of a number question."""
    valid = prep.scope & (prep.idx == 0)
    x = np.where(valid, np.nan_to_num(prep.values), 0.0)
    w2 = bases.squares[: len(x)]
    n_c, x_c, w2_c, w2x_c = bases.margin_sums(valid, [np.ones(len(x)), x, w2, w2 * x])
    w2_r, w2x_r, w2xx_r = bases.row_sums(valid, [w2, w2 * x, w2 * x * x])
    return {"n": n_c, "x": x_c, "w2": w2_c, "w2x": w2x_c, "w2_r": w2_r, "w2x_r": w2x_r, "w2xx_r": w2xx_r}


def _moment_terms(moments: dict, rows: list[int], theta: np.ndarray, total: np.ndarray, rest: bool = False):
    """``a``, ``b`` (B, C) and ``s`` (B,) of the means θ of ``rows`` (or of their rests: the
    total's sums minus the row's)."""
    def take(name):
        table = moments[name]
        return table[0][None] - table[rows] if rest else table[rows]

    theta, total = np.asarray(theta, dtype=float), np.asarray(total, dtype=float)
    a = (take("x") - theta[:, None] * take("n")) / total[:, None]
    b = (take("w2x") - theta[:, None] * take("w2")) / total[:, None]
    s = (take("w2xx_r") - 2 * theta * take("w2x_r") + theta * theta * take("w2_r")) / (total * total)
    return a, b, s


def _means(q: Question, prep: Prepared, bases: Bases, w: np.ndarray, rows: list[int],
           sizes: list[int]) -> dict[int, tuple[float, float]]:
    """Mean and median of the real answers (grade, number) for each of ``rows``."""
    valid = prep.scope & (prep.idx < _n_options(q))
    # Grades sort by their option index (0-9) as they do by value; with the row in
    # front (row·16 + index, when that fits in int16) one radix sort orders by both.
    grades = q.type == "grade" and (bases.spare + 1) * 16 < 2**15
    out = {}
    for p, wanted, members, bounds in bases.members(valid, sizes, rows):
        x, wv = prep.values[members], w[members]
        if grades:
            by_value = np.argsort((bases.sortable[p][members] * 16 + prep.idx[members]).astype(np.int16), kind="stable")
        else:
            by_value = np.argsort(x, kind="stable")
            if p:  # then by row, keeping each row's run where it is
                by_value = by_value[np.argsort(bases.sortable[p][members][by_value], kind="stable")]
        xs, ws = x[by_value], wv[by_value]
        for r in wanted:
            a, b = bounds[r]
            out[r] = (weighted_mean(x[a:b].copy(), wv[a:b].copy()), sorted_median(xs[a:b], ws[a:b]))
    return out


def _multi_figures(q: Question, prep: Prepared, bases: Bases, w: np.ndarray, min_n: int, indicative_n: int,
                   shares: Shares):
    """Multi questions: as before, each base's sums come from numpy/BLAS on its own arrays."""
    sizes = bases.sizes(prep.scope)
    shown = bases.shown(sizes, min_n)
    rows = [r for r, ok in enumerate(shown) if ok]
    if bases.zero_square:  # a hidden base without effective size stops the build, as before
        _, sums, squares = bases.tables(np.where(prep.scope, 0, 1), 2)
        for r, ok in enumerate(shown):
            if sizes[r] and not ok:
                float(sums[r, 0]) ** 2 / float(squares[r, 0])
    if not rows:
        return sizes, lambda: {}
    keys = [k for k, code in enumerate(q.options) if code in q.key_codes]
    # 0/1 values: any order of taking maxima or of adding up counts gives the same
    any_key = np.maximum.reduce([prep.chosen[:, k] for k in keys]) if keys else None
    weighted, key_weight, count, total, n_eff = [], [], [], [], []
    for _, wanted, members, bounds in bases.members(prep.scope, sizes, rows):
        wo, co = w[members], np.take(prep.chosen, members, axis=0)
        ko = any_key[members] if keys else None
        for r in wanted:
            a, b = bounds[r]
            wm, chosen = wo[a:b].copy(), co[a:b].copy()
            total.append(float(wm.sum()))
            n_eff.append(total[-1] ** 2 / float(np.dot(wm, wm)))
            weighted.append(wm @ chosen)
            key_weight.append(float(wm @ (ko[a:b].copy() if keys else np.zeros(b - a))))
            count.append((np.ones(b - a) @ chosen).tolist())
    k = len(q.options)
    chosen_weights = np.column_stack([np.array(weighted).reshape(len(rows), k), key_weight])
    columns = np.column_stack([prep.chosen, any_key if keys else np.zeros(len(prep.chosen))])
    tables = _multi_tables(bases, prep.scope, columns)
    total_ = np.array(total)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = chosen_weights / total_[:, None]
    se = np.sqrt(bases.design.variance(*_multi_terms(tables, rows, theta, total_), bases.design.n))
    handle = shares.add(chosen_weights, total, n_eff, se, [sizes[r] for r in rows])
    tested = _tested(bases, rows, sizes, indicative_n)
    key_tests = {}
    if tested and keys:
        at = [rows.index(r) for r in tested]
        group_w, rest_w = total_[at], total_[0] - total_[at]
        theta_g = theta[at, k]
        theta_r = (chosen_weights[0, k] - chosen_weights[at, k]) / rest_w
        ag, bg, sg = _multi_terms(tables, tested, theta_g[:, None], group_w, column=k)
        ar, br, sr = _multi_terms(tables, tested, theta_r[:, None], rest_w, column=k, rest=True)
        diff_se = np.sqrt(bases.design.variance(ag - ar, bg - br, sg + sr, bases.design.n))[:, 0]
        key_tests = dict(zip(tested, compare_arrays((theta_g - theta_r) * 100, diff_se * 100)))

    def build() -> dict[int, Figures]:
        pct, low, high, se_, method = shares.get(handle)
        out = {}
        for j, r in enumerate(rows):  # members() yields the rows in this order
            options = [
                OptionResult(code, label, int(c), pct[j][i], low[j][i], high[j][i], se_[j][i], method[j][i])
                for i, ((code, label), c) in enumerate(zip(q.options.items(), count[j]))
            ]
            out[r] = Figures(bases.groups[r], sizes[r], n_eff=n_eff[j], options=options,
                             key=Estimate(pct[j][k], low[j][k], high[j][k], se_[j][k], method[j][k]),
                             versus_rest=key_tests.get(r))
        return out

    return sizes, build


def _multi_tables(bases: Bases, scope: np.ndarray, columns: np.ndarray) -> dict:
    """Per row and weighting category: respondents and Σw² of the base, and of those who chose
    each column; per row: Σw² of the base and of those who chose each column."""
    n, k = columns.shape
    w2 = bases.squares[:n]
    chosen = columns * scope[:, None]
    base_n, base_w2 = bases.margin_sums(scope, [np.ones(n), w2])
    picked_n = bases.margin_sums(scope, [chosen[:, j] for j in range(k)])  # K × rows × C
    picked_w2 = bases.margin_sums(scope, [chosen[:, j] * w2 for j in range(k)])
    row_w2 = bases.row_sums(scope, [w2])[0]
    row_picked_w2 = bases.row_sums(scope, [chosen[:, j] * w2 for j in range(k)])  # K × rows
    return {"n": base_n, "w2": base_w2, "picked_n": picked_n, "picked_w2": picked_w2, "row_w2": row_w2,
            "row_picked_w2": row_picked_w2}


def _multi_terms(tables: dict, rows: list[int], theta: np.ndarray, total: np.ndarray, column: int | None = None,
                 rest: bool = False):
    """``a``, ``b`` (B, J, C) and ``s`` (B, J) of shares θ (B, J) of 0/1 columns (all, or one)."""
    def take(name):
        table = tables[name]
        if name.startswith("picked") or name == "row_picked_w2":
            table = table[column:column + 1] if column is not None else table
            table = np.moveaxis(table, 0, 1)  # rows first: rows × J (× C)
        return table[0][None] - table[rows] if rest else table[rows]

    total = np.asarray(total, dtype=float)
    scale = 1 / total
    a = (take("picked_n") - theta[:, :, None] * take("n")[:, None, :]) * scale[:, None, None]
    b = (take("picked_w2") - theta[:, :, None] * take("w2")[:, None, :]) * scale[:, None, None]
    picked_w2 = take("row_picked_w2")
    s = (picked_w2 * (1 - 2 * theta) + theta * theta * take("row_w2")[:, None]) * (scale * scale)[:, None]
    return a, b, s
