"""YAML loading that remembers where every key came from.

PyYAML's safe loader throws line numbers away; error messages must name the
line of the offending key, so we compose the node tree and build plain Python
data alongside a map from key path ("brand.colors.primary", "questions.2.id")
to its 1-based line number.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import ConfigError, Problem, not_utf8


@dataclass
class Located:
    """Parsed YAML plus the line of each key path."""

    data: object
    file: str
    lines: dict[str, int] = field(default_factory=dict)
    offset: int = 0  # lines before the YAML text (front matter starts after '---')

    def line(self, path: str) -> int:
        """The line of ``path`` or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path] + self.offset
            path = path.rpartition(".")[0]
        return self.lines.get("", 1) + self.offset

    def problem(self, path: str, message: str) -> Problem:
        return Problem(self.file, message, line=self.line(path), key=path or None)


# libyaml's composer keeps node marks (so line numbers) and is several times
# faster than the pure-Python one; fall back to it where libyaml is missing.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _scalar(loader: yaml.SafeLoader, node: yaml.Node):
    return loader.construct_object(node, deep=True)


def _build(loader, node, path: str, lines: dict[str, int], problems: list, file: str, offset: int):
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(loader, key_node)
            if isinstance(key, (_dt.date, bool)) or key is None:
                key = key_node.value  # keep "2026-01-01" and "yes" keys as written
            key = str(key) if not isinstance(key, str) else key
            child = f"{path}.{key}" if path else key
            if key in out:
                problems.append(Problem(file, "duplicate key", line=key_node.start_mark.line + 1 + offset, key=child))
            lines[child] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, child, lines, problems, file, offset)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = f"{path}.{i}" if path else str(i)
            items.append(_build(loader, item, child, lines, problems, file, offset))
        return items
    try:
        return _scalar(loader, node)
    except ValueError as exc:  # e.g. "2026-13-01": looks like a date, is none
        problems.append(Problem(file, f'"{node.value}" is not a valid value ({exc})',
                                line=node.start_mark.line + 1 + offset, key=path or None))
        return None


def parse(text: str, file: str, offset: int = 0) -> Located:
    """Parse YAML text; syntax errors become a ConfigError with file and line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else None
        what = exc.problem or str(exc)
        raise ConfigError(Problem(file, f"invalid YAML: {what}", line=line)) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    if node is None:
        return Located({}, file, {"": 1}, offset)
    data = _build(loader, node, "", lines, problems, file, offset)
    if problems:
        raise ConfigError(problems)
    return Located(data, file, lines, offset)


def load(path: Path, display: str | None = None) -> Located:
    """Read and parse a YAML file (UTF-8, BOM tolerated)."""
    return parse_bytes(path.read_bytes(), display or path.as_posix())


def parse_bytes(raw: bytes, display: str) -> Located:
    """Parse the bytes of a YAML file (for a caller that also hashes them)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(not_utf8(display, raw, exc)) from None
    return parse(text, display)
