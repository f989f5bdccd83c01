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
from panelsite.surveys.disclosure import hidden
from panelsite.surveys.figures import Estimate, Figures, MissingResult, OptionResult, suppress, suppress_groups
from panelsite.surveys.formulas import mean_estimate, sorted_median, wilson_arrays
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


def bases_of(survey: Survey, municipality, data: pd.DataFrame, weights: np.ndarray) -> Bases:
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
    return Bases(
        groups, partitions, rows,
        sortable=rows.astype(np.int16) if spare < 2**15 else rows,
        weights=np.tile(weights, len(partitions)),
        squares=np.tile(squares, len(partitions)),
        zero_square=bool(n) and not bool(squares.min() > 0),
    )


class Shares:
    """The shares of a whole survey, to give them their Wilson intervals in one call."""

    def __init__(self):
        self.blocks: list[tuple[np.ndarray, np.ndarray]] = []  # (p, n_eff), one row per base
        self.results: list[tuple[list, list, list]] = []

    def add(self, chosen: np.ndarray, total: list[float], n_eff: list[float]) -> int:
        """Queue the shares ``chosen / total`` (a row per base; NaN where the total is 0)
        on effective sizes ``n_eff``; returns the handle for ``get``."""
        total_, n_eff_ = np.array(total)[:, None], np.array(n_eff)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(total_ != 0, chosen / total_, math.nan)
        self.blocks.append((p, np.broadcast_to(n_eff_, p.shape)))
        return len(self.blocks) - 1

    def compute(self) -> None:
        if not self.blocks:
            return
        p = np.concatenate([p.ravel() for p, _ in self.blocks])
        low, high = wilson_arrays(p, np.concatenate([n.ravel() for _, n in self.blocks]))
        pct, low, high = (p * 100).tolist(), (low * 100).tolist(), (high * 100).tolist()
        start = 0
        for block, _ in self.blocks:
            rows, width = block.shape
            cuts = range(start, start + rows * width, width)
            self.results.append(tuple([values[i:i + width] for i in cuts] for values in (pct, low, high)))
            start += rows * width

    def get(self, handle: int) -> tuple[list, list, list]:
        """Per base: the percentages, lower and upper bounds (percent) of the queued shares."""
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
        sizes, build = _multi_figures(q, prep, bases, w, min_n, shares)
    else:
        sizes, build = _coded_figures(q, prep, bases, w, min_n, shares)

    def figures() -> list[Figures]:
        # Only the bases `bases.shown` lets through were computed; the disclosure rule
        # itself is applied here, by the same functions as for any list of groups.
        shown = build()
        computed = [shown.get(r) or Figures(group, sizes[r]) for r, group in enumerate(bases.groups)]
        out = [suppress(computed[0], min_n, indicative_n)]
        for _, rows in bases.partitions[1:]:
            out += suppress_groups(computed[rows.start:rows.stop], min_n, indicative_n)
        return out

    return figures


def _coded_figures(q: Question, prep: Prepared, bases: Bases, w: np.ndarray, min_n: int, shares: Shares):
    """Single, scale, grade and number questions."""
    k_opt, k_all = _n_options(q), _n_codes(q)
    counts, sums, squares = bases.tables(np.where(prep.scope, prep.idx, k_all), k_all + 1)
    sizes = counts[:, :k_opt].sum(axis=1).tolist()
    totals = sums[:, :k_opt].sum(axis=1).tolist()
    # Computed for every base with respondents, shown or not: as before, a base
    # whose weights are all 0 stops the build here.
    n_eff = [t**2 / s if c else None for c, t, s in zip(sizes, totals, squares[:, :k_opt].sum(axis=1).tolist())]
    rows = [r for r, ok in enumerate(bases.shown(sizes, min_n)) if ok]
    if not rows:
        return sizes, lambda: {}
    answered = sums[:, :k_all].sum(axis=1)[rows]
    sums, counts = sums[rows], counts[rows]
    total, n_eff = [totals[r] for r in rows], [n_eff[r] for r in rows]

    blocks = {}  # figure -> weights chosen per row; its shares become these columns, in order
    if q.type in ("single", "scale", "grade"):
        blocks["options"] = sums[:, :k_opt]

    def weight_of(codes) -> np.ndarray:
        # Contiguous rows, so each row adds up as the 1-D sum it replaces.
        chosen = [k for k, code in enumerate(q.options) if code in codes]
        return np.ascontiguousarray(sums[:, chosen]).sum(axis=1)[:, None]

    if q.type in ("single", "scale"):
        blocks["key"] = weight_of(q.key_codes)
    if q.type == "scale":
        blocks["top2"] = weight_of(q.top2_codes)
    if q.type == "grade":
        blocks["share_8plus"] = sums[:, 7:10].sum(axis=1)[:, None]
        blocks["share_below6"] = sums[:, 0:5].sum(axis=1)[:, None]
    handle = shares.add(np.concatenate(list(blocks.values()), axis=1), total, n_eff) if blocks else None
    with np.errstate(divide="ignore", invalid="ignore"):
        missing_pct = (sums[:, k_opt:k_all] / answered[:, None] * 100).tolist()
    missing_n, option_n = counts[:, k_opt:k_all].tolist(), counts[:, :k_opt].tolist()
    answered = answered.tolist()
    means = _means(q, prep, bases, w, rows, n_eff, sizes) if q.type in ("grade", "number") else {}
    labels = q.options if q.type != "grade" else {g: str(g) for g in GRADES}

    def build() -> dict[int, Figures]:
        pct, low, high = shares.get(handle) if handle is not None else ([], [], [])
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
                        for (code, label), c, values in zip(labels.items(), option_n[j], zip(pct[j], low[j], high[j]))
                    ]
                    column += k_opt
                else:
                    setattr(f, name, Estimate(pct[j][column], low[j][column], high[j][column]))
                    column += 1
            if r in means:
                f.mean = f.key = means[r][0]
                f.median = means[r][1]
        return out

    return sizes, build


def _means(q: Question, prep: Prepared, bases: Bases, w: np.ndarray, rows: list[int], n_eff: list[float],
           sizes: list[int]) -> dict[int, tuple[Estimate, float]]:
    """Mean and median of the real answers (grade, number) for each of ``rows``."""
    valid = prep.scope & (prep.idx < _n_options(q))
    # Grades sort by their option index (0-9) as they do by value; with the row in
    # front (row·16 + index, when that fits in int16) one radix sort orders by both.
    grades = q.type == "grade" and (bases.spare + 1) * 16 < 2**15
    n_eff_of = dict(zip(rows, n_eff))
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
            out[r] = (mean_estimate(x[a:b].copy(), wv[a:b].copy(), n_eff_of[r]), sorted_median(xs[a:b], ws[a:b]))
    return out


def _multi_figures(q: Question, prep: Prepared, bases: Bases, w: np.ndarray, min_n: int, shares: Shares):
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
    handle = shares.add(np.column_stack([np.array(weighted).reshape(len(rows), k), key_weight]), total, n_eff)

    def build() -> dict[int, Figures]:
        pct, low, high = shares.get(handle)
        out = {}
        for j, r in enumerate(rows):  # members() yields the rows in this order
            options = [
                OptionResult(code, label, int(c), pct[j][i], low[j][i], high[j][i])
                for i, ((code, label), c) in enumerate(zip(q.options.items(), count[j]))
            ]
            out[r] = Figures(bases.groups[r], sizes[r], n_eff=n_eff[j], options=options,
                             key=Estimate(pct[j][k], low[j][k], high[j][k]))
        return out

    return sizes, build
