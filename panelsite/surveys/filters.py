"""The question filter language: a tiny, safe expression language (never ``eval``).

Grammar::

    expr       := and_expr ("or" and_expr)*
    and_expr   := atom ("and" atom)*
    atom       := "(" expr ")" | comparison
    comparison := NAME OP VALUE | NAME "in" "[" VALUE ("," VALUE)* "]"
    OP         := "==" | "!=" | ">=" | "<=" | ">" | "<"
    VALUE      := a number (1, -2, 7.5) or a quoted text ('a', "b")

A NAME is a question id (``q1``) or, for a multi question, one option column
(``q2_3``). A respondent meets a comparison only if they answered the question:
``q0 != 1`` is false for someone who skipped q0, because a filter describes
who *was asked* a follow-up question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where a filter is evaluated: reading survey.yaml parses filters only
    import numpy as np

ORDERING = (">=", "<=", ">", "<")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?)
      | (?P<string>'[^']*'|"[^"]*")
      | (?P<op>==|!=|>=|<=|>|<)
      | (?P<punct>[()\[\],])
      | (?P<name>[A-Za-z][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)


class FilterSyntaxError(ValueError):
    """The filter text cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Compare:
    name: str
    op: str  # one of the comparison operators, or "in"
    values: tuple

    def evaluate(self, columns) -> np.ndarray:
        import numpy as np

        values = np.asarray(columns(self.name))
        answered = ~_isna(values)
        if self.op in ("==", "in"):
            return answered & _isin(values, self.values)
        if self.op == "!=":
            return answered & ~_isin(values, self.values)
        with np.errstate(invalid="ignore"):
            numbers = np.where(answered, values, np.nan).astype(float)
            target = float(self.values[0])
            result = {">=": numbers >= target, "<=": numbers <= target, ">": numbers > target, "<": numbers < target}
        return answered & result[self.op]

    def test(self, value_of) -> bool:
        """:meth:`evaluate` for one respondent: ``value_of(name)`` gives their answer (None: none)."""
        value = value_of(self.name)
        if value is None or (isinstance(value, float) and value != value):
            return False
        if self.op in ("==", "in"):
            return any(value == v for v in self.values)
        if self.op == "!=":
            return not any(value == v for v in self.values)
        number, target = float(value), float(self.values[0])
        return {">=": number >= target, "<=": number <= target, ">": number > target, "<": number < target}[self.op]


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    items: tuple

    def evaluate(self, columns) -> np.ndarray:
        import numpy as np

        results = [item.evaluate(columns) for item in self.items]
        combine = np.logical_and if self.op == "and" else np.logical_or
        out = results[0]
        for r in results[1:]:
            out = combine(out, r)
        return out

    def test(self, value_of) -> bool:
        tests = (item.test(value_of) for item in self.items)
        return all(tests) if self.op == "and" else any(tests)


@dataclass(frozen=True)
class Filter:
    """A parsed filter plus the text the user wrote (shown in the method section)."""

    source: str
    expr: Compare | BoolOp

    def comparisons(self) -> list[Compare]:
        out, todo = [], [self.expr]
        while todo:
            node = todo.pop(0)
            if isinstance(node, Compare):
                out.append(node)
            else:
                todo[:0] = list(node.items)
        return out

    def evaluate(self, columns) -> np.ndarray:
        """Boolean array: who meets the filter. ``columns(name)`` gives a column's values."""
        return self.expr.evaluate(columns)

    def test(self, value_of) -> bool:
        """Whether one respondent meets the filter (the collector, per submission): the same as
        :meth:`evaluate` on a column of one, without building arrays. ``value_of(name)`` gives
        their answer, None when there is none."""
        return self.expr.test(value_of)


def _isna(values: np.ndarray) -> np.ndarray:
    import numpy as np

    if values.dtype.kind == "f":
        return np.isnan(values)
    return np.array([v is None or (isinstance(v, float) and v != v) for v in values], dtype=bool)


def _isin(values: np.ndarray, wanted: tuple) -> np.ndarray:
    import numpy as np

    out = np.zeros(len(values), dtype=bool)
    for v in wanted:
        out |= values == v
    return out


def parse(text: str) -> Filter:
    """Parse filter text; raises FilterSyntaxError with a readable reason."""
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    expr = parser.expr()
    if parser.pos < len(tokens):
        raise FilterSyntaxError(f'unexpected "{tokens[parser.pos][1]}"')
    return Filter(text, expr)


def _tokenize(text: str) -> list[tuple[str, object]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise FilterSyntaxError(f'unexpected "{text[pos:].strip()[:1]}"')
        kind = match.lastgroup
        raw = match.group(kind)
        if kind == "number":
            value = float(raw) if "." in raw else int(raw)
        elif kind == "string":
            value = raw[1:-1]
        else:
            value = raw
        if kind == "name" and raw in ("and", "or", "in"):
            kind = raw
        tokens.append((kind, value))
        pos = match.end()
    if not tokens:
        raise FilterSyntaxError("the filter is empty")
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "end of filter")

    def take(self, kind: str, what: str):
        token = self.peek()
        if token[0] != kind and token[1] != kind:
            raise FilterSyntaxError(f'expected {what} but found "{token[1]}"')
        self.pos += 1
        return token[1]

    def expr(self):
        items = [self.and_expr()]
        while self.peek()[0] == "or":
            self.pos += 1
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self):
        items = [self.atom()]
        while self.peek()[0] == "and":
            self.pos += 1
            items.append(self.atom())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def atom(self):
        if self.peek()[1] == "(":
            self.pos += 1
            inner = self.expr()
            self.take(")", 'a closing ")"')
            return inner
        name = self.take("name", "a question id")
        kind, op = self.peek()
        if kind == "in":
            self.pos += 1
            self.take("[", 'a list like "[1, 2]"')
            values = [self.value()]
            while self.peek()[1] == ",":
                self.pos += 1
                values.append(self.value())
            self.take("]", 'a closing "]"')
            return Compare(name, "in", tuple(values))
        if kind != "op":
            raise FilterSyntaxError(f'expected ==, !=, >=, <=, >, < or "in" after {name} but found "{op}"')
        self.pos += 1
        return Compare(name, op, (self.value(),))

    def value(self):
        kind, value = self.peek()
        if kind not in ("number", "string"):
            raise FilterSyntaxError(f'expected a value but found "{value}"')
        self.pos += 1
        return value
