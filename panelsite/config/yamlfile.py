"""YAML loading that remembers where every key came from.

PyYAML's safe loader throws line numbers away; error messages must name the
line of the offending key, so we compose the node tree and build plain Python
data alongside a map from key path ("brand.colors.primary", "questions.2.id")
to its 1-based line number.

Editors are not programmers, so the parser's own words ("mapping values are
not allowed in this context") are translated into what to change, quoting
the line they wrote.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from panelsite.errors import ConfigError, Problem, not_utf8


@dataclass
class Located:
    """Parsed YAML plus the line of each key path.

    ``raw`` keeps the source text of each unquoted value that YAML 1.1 read as
    something other than text (``0701234567`` is the octal number 117782903,
    ``9.800`` is 9.8, ``No`` is false), so a text field can take it as written
    and a message can quote it.
    """

    data: object
    file: str
    lines: dict[str, int] = field(default_factory=dict)
    offset: int = 0  # lines before the YAML text (front matter starts after '---')
    raw: dict[str, str] = field(default_factory=dict)

    def line(self, path: str) -> int:
        """The line of ``path`` or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path] + self.offset
            path = path.rpartition(".")[0]
        return self.lines.get("", 1) + self.offset

    def problem(self, path: str, message: str, severity: str = "error") -> Problem:
        return Problem(self.file, message, line=self.line(path), key=path or None, severity=severity)


# libyaml's composer keeps node marks (so line numbers) and is several times
# faster than the pure-Python one; fall back to it where libyaml is missing.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
# YAML's line breaks, so a mark's line number finds the line the editor sees.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# An empty value followed by "#0b5394" or "#14 0123": a value the editor meant,
# which YAML took for a comment. "key:   # explanation" (a space after #) is a
# real comment, as in the documentation's examples.
_SWALLOWED = re.compile(r"[ \t]+(#\S.*?)(?:[ \t]+#.*)?[ \t]*$")


class _Builder:
    """Plain data, lines and raw texts from one composed node tree."""

    __slots__ = ("loader", "text", "file", "offset", "lines", "raw", "problems", "_source")

    def __init__(self, loader, text: str, file: str, offset: int):
        self.loader, self.text, self.file, self.offset = loader, text, file, offset
        self.lines: dict[str, int] = {}
        self.raw: dict[str, str] = {}
        self.problems: list[Problem] = []
        self._source: list[str] | None = None

    def source_line(self, index: int) -> str:
        if self._source is None:  # only on the way to a message
            self._source = _LINE_BREAK.split(self.text)
        return self._source[index] if index < len(self._source) else ""

    def report(self, node, message: str, key: str | None) -> None:
        self.problems.append(Problem(self.file, message, line=node.start_mark.line + 1 + self.offset, key=key or None))

    def build(self, node, path: str):
        lines = self.lines
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            out: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == _STR:
                    key = key_node.value
                else:
                    key = self.scalar(key_node, path)
                    if isinstance(key, (_dt.date, bool)) or key is None:
                        key = key_node.value  # keep "2026-01-01" and "yes" keys as written
                    key = str(key) if not isinstance(key, str) else key
                child = f"{path}.{key}" if path else key
                if key in out:
                    self.report(key_node, "duplicate key", child)
                lines[child] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, f"{path}.{i}" if path else str(i)) for i, item in enumerate(node.value)]
        if node.tag == _STR:
            return node.value  # what the constructor would return, without its bookkeeping
        value = self.scalar(node, path)
        self.raw[path] = node.value
        if value is None and not node.value:
            self.check_swallowed(node, path)
        return value

    def scalar(self, node, path: str):
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as exc:  # e.g. "2026-13-01": looks like a date, is none
            if node.tag == _INT:  # Python refuses to read an int of more than 4,300 digits
                self.report(node, f'"{node.value[:24]}…" is a number of {len(node.value):,} digits (expected a number '
                                  "of a few digits)", path)
                return None
            shown = node.value if len(node.value) <= 60 else node.value[:57] + "…"
            self.report(node, f'"{shown}" is not a valid value ({exc})', path)
        except yaml.YAMLError:  # "!Teststad": an unknown tag
            line = self.source_line(node.start_mark.line)
            column = node.start_mark.column
            self.report(node, f'a value cannot start with "!" (YAML reads it as a type); '
                              f"put it in quotes: {_quoted(line[:column], line[column:])}", path)
        return None

    def check_swallowed(self, node, path: str) -> None:
        line = self.source_line(node.start_mark.line)
        column = node.start_mark.column
        match = _SWALLOWED.match(line, column)
        if match:
            self.report(node, "everything after # is a comment in YAML, so this has no value; "
                              f"put it in quotes: {_quoted(line[:column], match.group(1))}", path)


def _quoted(before: str, value: str) -> str:
    """``before`` (like "  primary:") followed by ``value`` in YAML quotes that keep it as written."""
    value = value.strip()
    if '"' in value or "\\" in value:
        value = "'" + value.replace("'", "''") + "'"
    else:
        value = f'"{value}"'
    return f"{before.strip()} {value}".lstrip()


# "  - key: value": indentation and list dashes, the key with its colon, the value.
_KEY_VALUE = re.compile(r"(\s*(?:-\s+)*)([^\s#'\"\[\]{},:@`%!&*|>][^:]*?:)[ \t]+(.*?)(?:[ \t]+#.*)?$")
_NO_SPACE = re.compile(r"\s*(?:-\s+)*[^\s#'\"\[\]{},:][^:\s]*:[^\s:]")
_LONE_APOSTROPHE = re.compile(r"(?<!')'(?!')")
_CLOSING = {'"': '"', "'": "'", "[": "]", "{": "}"}


def _show_line(line: str) -> str:
    line = line.strip()
    return line if len(line) <= 80 else line[:77] + "…"


def _syntax_hint(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int | None, str | None]:
    """(0-based line, plain-English hint) for the syntax errors editors make most."""
    problem, mark, context = exc.problem or "", exc.problem_mark, exc.context_mark
    if mark is None:
        return None, None
    at, column = mark.line, mark.column
    line = lines[at] if at < len(lines) else ""
    key_value = _KEY_VALUE.match(line)
    at_value = key_value is not None and column == key_value.start(3)

    if ("mapping values are not allowed" in problem or "could not find expected ':'" in problem) and (
            len(line.partition(":")[0].strip()) > 1024):  # YAML reads a plain key of at most 1,024 characters
        return at, (f"this key is {len(line.partition(':')[0].strip()):,} characters long, and YAML reads keys of "
                    "at most 1,024; write a short key")
    if "mapping values are not allowed" in problem:
        if key_value and key_value.end(2) < column:
            return at, ('a ": " inside a value makes YAML read a new key; put the value in quotes: '
                        + _quoted(key_value.group(2), key_value.group(3)))
        above = _line_above(lines, at)
        if _NO_SPACE.match(lines[above] if above is not None else ""):
            return above, _NO_SPACE_HINT  # "alt:Gemeente" is text, so the next key looks indented too far
        return at, ("this line is indented further than the key above it, so YAML reads it as part of "
                    "that key's value; indent it like the keys it belongs with")

    if "tab" in problem or ("cannot start any token" in problem and line[column:column + 1] == "\t"):
        return at, "a tab is not allowed here: YAML indents with spaces only; replace the tab by spaces"
    if "cannot start any token" in problem or "undefined alias" in problem:
        char = line[column:column + 1]
        if at_value:
            why = " (YAML reads it as a reference)" if char == "*" else ""
            return at, (f'a value cannot start with "{char}"{why}; put it in quotes: '
                        + _quoted(key_value.group(2), line[column:]))
        return at, f'a key or value cannot start with "{char}"; remove it, or put the text in quotes'

    if "sequence entries are not allowed" in problem and at_value:
        return at, ('a list item ("- …") cannot follow a key on the same line; put the value in quotes: '
                    + _quoted(key_value.group(2), key_value.group(3)) + ", or start the list on the next line")

    if "expected key" in problem or "expected <block end>" in problem:
        value = key_value.group(3) if key_value else ""
        opener = value[:1]
        if opener in _CLOSING and line[:column].rstrip().endswith(_CLOSING[opener]):
            key = key_value.group(2)
            if opener == "'" and value.endswith("'"):
                inner = _LONE_APOSTROPHE.sub("''", value[1:-1])
                return at, ("inside a value in single quotes an apostrophe ends the value; write each apostrophe "
                            f"twice: {key} '{inner}'")
            if opener == '"' and value.endswith('"'):
                return at, ('inside a value in double quotes a " ends the value; use single quotes around the value '
                            f"instead: {key} '{value[1:-1]}'")
            why = "a value that starts with a quote must end with that quote" if opener in "\"'" else \
                f"a value that starts with {opener} is read as a list or mapping"
            return at, f"{why}; to keep it as text, put the whole value in quotes: {_quoted(key, value)}"
        first = context.line if context is not None else at
        for i in range(min(at, len(lines) - 1), first - 1, -1):
            opened = _KEY_VALUE.match(lines[i])
            quote = opened.group(3)[:1] if opened else ""
            if quote in ("'", '"') and opened.group(3).count(quote) % 2:
                return i, _unclosed(lines[i], opened.start(3))
        return at, ("this line is indented differently from the keys above it; keys at one level need the same "
                    "number of spaces")

    if "could not find expected ':'" in problem and context is not None:
        at = context.line
        line = lines[at] if at < len(lines) else ""
        if _NO_SPACE.match(line):
            return at, _NO_SPACE_HINT
        above = _line_above(lines, at)
        above = lines[above] if above is not None else ""
        indent = len(line) - len(line.lstrip())
        if above.lstrip().startswith("-") and len(above) - len(above.lstrip()) == indent:
            if line.lstrip().startswith("-"):
                return at, 'put a space after the "-" that starts a list item (- item)'
            return at, f'this line is in a list but does not start with "- "; write it as a list item: - {line.strip()}'
        return at, ('this line is neither "key: value" nor a list item "- …"; add ": " after the key, '
                    "or put a text that runs over several lines in quotes")

    if "escape" in problem:
        return at, ('inside double quotes a backslash starts a code like \\n; write two backslashes for one, '
                    "or put the value in single quotes")
    if "quoted scalar" in (exc.context or "") and context is not None and context.line < len(lines):
        return context.line, _unclosed(lines[context.line], context.column)
    if "flow sequence" in (exc.context or "") or "flow mapping" in (exc.context or ""):
        # YAML notices an unclosed [ or { where the next line starts: point at the bracket.
        if context is not None and context.line < len(lines):
            opened = lines[context.line]
            bracket, closing, kind = ("[", "]", "list") if "sequence" in exc.context else ("{", "}", "mapping")
            value = _KEY_VALUE.match(opened)
            text = _quoted(value.group(2), value.group(3)) if value else None
            return context.line, (f"the {bracket} that starts this value is not closed; a value that starts with "
                                  f"{bracket} is a {kind}: end it with {closing}"
                                  + (f", or, to keep it as text, put the whole value in quotes: {text}"
                                     if text else ""))
    return None, None


_NO_SPACE_HINT = 'put a space after the ":" that ends the key (key: value)'


def _line_above(lines: list[str], at: int) -> int | None:
    """The nearest line above ``at`` with something other than a comment."""
    for i in range(min(at, len(lines)) - 1, -1, -1):
        text = lines[i].strip()
        if text and not text.startswith("#"):
            return i
    return None


def _unclosed(line: str, column: int) -> str:
    quote = line[column:column + 1]
    return (f"the quote {quote} that starts this value is not closed; end the value with {quote}, or, when the "
            f"{quote} is part of the text (like 's-Hertogenbosch), put the whole value in quotes: "
            + _quoted(line[:column], line[column:]))


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str, offset: int) -> Problem:
    lines = _LINE_BREAK.split(text)
    at, hint = _syntax_hint(exc, lines)
    what = exc.problem or str(exc)
    if hint is None or at >= len(lines):
        mark = exc.problem_mark or exc.context_mark
        return Problem(file, f"invalid YAML: {what}", line=(mark.line + 1 + offset) if mark else None)
    return Problem(file, f"invalid YAML in «{_show_line(lines[at])}»: {hint} (YAML: {what})", line=at + 1 + offset)


# How deep lists and mappings may nest: far beyond any real file, far below where libyaml's
# composer (C, recursive) overflows the stack and takes the process with it.
MAX_DEPTH = 64
_BRACKET = re.compile(r"[\[\]{}]")
_BLOCK_START = re.compile(r"[ \t]*(?:[-?][ \t]+)*")


def _too_deep(text: str) -> tuple[int, str] | None:
    """(line, what) where the nesting exceeds MAX_DEPTH, checked on the characters alone (an
    estimate that brackets inside quoted text can only raise): parsing such a file is not safe."""
    depth = 0
    for match in _BRACKET.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return text.count("\n", 0, match.start()) + 1, "brackets [ { nested"
    for number, line in enumerate(text.splitlines(), 1):
        if _BLOCK_START.match(line).end() > 4 * MAX_DEPTH:
            return number, "indentation and list dashes"
    return None


def parse(text: str, file: str, offset: int = 0) -> Located:
    """Parse YAML text; syntax errors become a ConfigError with file and line."""
    deep = _too_deep(text)
    if deep:
        raise ConfigError(Problem(file, f"{deep[1]} deeper than {MAX_DEPTH} levels (expected a file as the "
                                        "documentation shows it, a few levels deep)", line=deep[0] + offset))
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(_syntax_problem(exc, text, file, offset)) from None
    finally:
        loader.dispose()
    if node is None:
        return Located({}, file, {"": 1}, offset)
    if "*" in text:  # an alias: every use of it is built again, so a few lines can expand to billions
        _check_expansion(node, text, file, offset)
    builder = _Builder(loader, text, file, offset)
    data = builder.build(node, "")
    if builder.problems:
        raise ConfigError(builder.problems)
    return Located(data, file, builder.lines, offset, builder.raw)


# The most values one file may expand to through aliases (*name): far above any real municipality
# or survey file, far below the billions of a "billion laughs" file.
MAX_VALUES = 100_000


def _check_expansion(node, text: str, file: str, offset: int) -> None:
    """Refuse a file whose aliases expand it beyond MAX_VALUES, at the line of its first alias.

    The composed tree shares the node of an anchor between its uses, so its size as built is
    counted per distinct node (linear in the file), before anything is built.
    """
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # nodes whose children are being counted: met again, the file refers to itself
    stack = [(node, False)]
    too_big = recursive = False
    while stack and not (too_big or recursive):
        current, done = stack.pop()
        key = id(current)
        if done:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(current))
            too_big = sizes[key] > MAX_VALUES
        elif key in open_:
            recursive = True
        elif key not in sizes:
            open_.add(key)
            stack.append((current, True))
            stack.extend((child, False) for child in _children(current) if id(child) not in sizes)
    if not (too_big or recursive):
        return
    line = next((event.start_mark.line + 1 for event in yaml.parse(text, Loader=_Loader)
                 if isinstance(event, yaml.AliasEvent)), 1)
    message = ("an alias (*name) here refers to a value it is part of, which never ends (expected an alias of "
               "a value written before it)" if recursive else
               f"the aliases (*name) in this file expand it to more than {MAX_VALUES:,} values (expected each value "
               "written out, or aliases used a few times)")
    raise ConfigError(Problem(file, message, line=line + offset))


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


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
