"""Exceptions that are not panelsite's own, as Problems: the one place a crash becomes a message.

Jinja checks a template's syntax when it compiles it, not what it does when it runs: a
division by zero, a filter given the wrong type, an include of a template that does not
exist or a template that includes itself all raise Python's own exceptions while a page is
rendered. So can a bug in panelsite. Without this module such an exception reaches the
user as a traceback from a build worker, and the other sites' half-written folders stay.

:func:`problem_of` turns any exception into a :class:`~panelsite.errors.Problem`: at the
template file and line where it happened (Jinja gives the frames of template code the
template's file name and line, see ``jinja2.debug``), naming the page being rendered; an
exception raised outside every template is an internal error, named by the innermost
frame of panelsite's own code so it can be reported. :func:`text_template_problem` does the
same for the Jinja in Markdown (pages, factsheets), at the line of the Markdown file.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import jinja2

from panelsite.errors import Problem, did_you_mean, relpath

TEMPLATE_SUFFIXES = (".html", ".txt", ".xml", ".css", ".md", ".svg")
PACKAGE = Path(__file__).resolve().parents[1]  # panelsite/
STRING_TEMPLATE = "<template>"  # the file name Jinja gives a template made with from_string


def template_frames(tb, root: Path) -> list[tuple[str, int]]:
    """(template file as the user sees it, line) of every frame of template code, outermost first."""
    frames = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIXES) and Path(filename).is_file():
            frames.append((relpath(filename, root), tb.tb_lineno))
        tb = tb.tb_next
    return frames


def problem_of(exc: BaseException, root: Path, rendering: str, templates: list[str] | None = None,
               folders: str = "the theme's templates folder") -> Problem:
    """The problem of ``exc``, raised while rendering ``rendering`` (like "lindenhaven/contact/").

    ``templates`` are the names a missing template could have meant (for "did you mean"),
    ``folders`` where templates are looked up.
    """
    frames = template_frames(exc.__traceback__, root)
    while_ = f"while rendering {rendering}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        file = relpath(exc.filename, root) if exc.filename else (exc.name or rendering)
        return Problem(file, f"template error: {exc.message} ({while_})", line=exc.lineno)
    if isinstance(exc, jinja2.TemplateNotFound):
        name = exc.name if isinstance(exc.name, str) else ", ".join(map(str, exc.templates))
        hint = did_you_mean(name, templates or [])
        message = f'template "{name}" not found in {folders}{hint} ({while_})'
        if frames:
            file, line = frames[-1]
            return Problem(file, message, line=line)
        return Problem(rendering, message)
    if isinstance(exc, RecursionError) and frames:
        loop = _loop(frames, root)
        if loop:
            file, line = loop[0]
            # The templates whose include statements make the loop ("a.html → b.html → a.html"):
            # what extends and blocks pass through on the way is not part of the story.
            included = [f for f, n in loop if INCLUDE.search(_source_line(root / f, n))]
            if not included and any("extends" in _source_line(root / f, n) for f, n in loop):
                names = list(dict.fromkeys(_template_name(f) for f, _ in loop))
                return Problem(file, f"extends loop: {' → '.join([*names, names[0]])} (a template that extends "
                                     f"itself, directly or through others, never ends; expected each extends to lead "
                                     f"to a template without it; {while_})", line=line)
            if not included:  # no include on the way round: a macro that calls itself
                return Problem(file, f"this never ends: a macro calls itself, directly or through others, every time "
                                     f"(expected a macro that stops calling itself; {while_})", line=line)
            names = list(dict.fromkeys(_template_name(f) for f in included))
            chain = " → ".join([*names, names[0]])
            return Problem(file, f"include loop: {chain} (a template that includes itself, directly or through "
                                 f"others, never ends; expected each include to lead to a template without it; "
                                 f"{while_})", line=line)
    if isinstance(exc, jinja2.UndefinedError) and frames:
        file, line = frames[-1]
        return Problem(file, f"{while_}: {_undefined(exc.message or '')}", line=line)
    if frames:
        file, line = frames[-1]
        return Problem(file, f"template error {while_}: {_described(exc)} (expected the template to work for "
                             "every page it renders)", line=line)
    return internal_problem(exc, while_)


def internal_problem(exc: BaseException, doing: str, message: bool = True) -> Problem:
    """An exception no template explains: a bug in panelsite, named by where it was raised.

    ``message`` false leaves the exception's own text out: a database error quotes the values
    of its statement (e-mail addresses), which must not reach a log (the collector's commands).
    """
    where = _own_frame(exc)
    file, line = where if where else ("panelsite", None)
    what = _described(exc) if message else type(exc).__name__
    return Problem(file, f"internal error {doing}: {what} (a bug in panelsite: please report it with this "
                         "message and the input that caused it)", line=line)


def text_template_problem(exc: Exception, display: str, body: str, body_line: int) -> Problem:
    """The problem of an exception from the Jinja in a Markdown body (``from_string``), at its line
    in the file (``body_line``: the file's line of the body's first line)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Problem(display, f"template error: {exc.message}", line=body_line + (exc.lineno or 1) - 1)
    at = 1
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == STRING_TEMPLATE:
            at = tb.tb_lineno
        tb = tb.tb_next
    line = body_line + at - 1
    lines = body.splitlines()
    text = lines[at - 1].strip() if 0 < at <= len(lines) else ""
    shown = f" «{text if len(text) <= 80 else text[:77] + '…'}»" if text else ""
    if isinstance(exc, TypeError) and "no loader" in str(exc) or isinstance(exc, jinja2.TemplateNotFound):
        return Problem(display, f"{{% include %}}, {{% extends %}} and {{% import %}} cannot be used in "
                                f"Markdown{shown} (expected the text itself; a page can name a theme template "
                                "with template: in its front matter)", line=line)
    if isinstance(exc, RecursionError):
        return Problem(display, f"the Jinja in this text never ends{shown} (expected no recursion)", line=line)
    return Problem(display, f"cannot compute{shown}: {_described(exc)} (expected an expression that works, "
                            "like {{ site.name }})", line=line)


def _loop(frames: list[tuple[str, int]], root: Path) -> list[tuple[str, int]] | None:
    """The template frames of one turn of the loop a RecursionError ran, starting at the statement
    that makes it (an include or import before an extends), from its frames outermost first."""
    cycle = _period(frames)
    if cycle is None:
        return None
    lines = [_source_line(root / file, line) for file, line in cycle]
    # Where the loop was entered: of the statements that make it (an include, else an extends),
    # the one met first from outside, so the message does not depend on where recursion stopped.
    making = ([i for i, text in enumerate(lines) if INCLUDE.search(text)]
              or [i for i, text in enumerate(lines) if "extends" in text] or [0])
    start = min(making, key=lambda i: frames.index(cycle[i]))
    return cycle[start:] + cycle[:start]


INCLUDE = re.compile(r"{%-?\s*(include|import|from)\b")


def _period(frames: list) -> list | None:
    """The frames of the shortest turn that repeats (three times at least) at the inner end;
    the innermost turn may be cut short where the recursion limit struck."""
    for period in range(1, len(frames) // 4 + 1):
        for cut in range(period):
            seq = frames[:len(frames) - cut]
            if seq[-period:] == seq[-2 * period:-period] == seq[-3 * period:-2 * period]:
                return seq[-period:]
    return None


def _source_line(file: Path, line: int) -> str:
    try:
        return file.read_text(encoding="utf-8").splitlines()[line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        return ""


def _template_name(file: str) -> str:
    """themes/default/templates/partials/x.html → partials/x.html."""
    head, sep, tail = file.partition("/templates/")
    return tail if sep else file


_NO_ATTRIBUTE = re.compile(r"'(?:[\w.]+\.)?(\w+) object' has no (?:attribute|element) '?(.+?)'?$")


def _undefined(message: str) -> str:
    """Jinja's "'panelsite.config.schema.Record object' has no attribute 'x'" in the template's words."""
    found = _NO_ATTRIBUTE.match(message)
    if found:
        return f'unknown attribute "{found.group(2)}" (expected a name the value has; check the spelling)'
    found = re.fullmatch(r"'(\w+)' is undefined", message)
    if found:
        return f'unknown variable "{found.group(1)}" (expected a name the template is given; check the spelling)'
    return message


def _described(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= 200 else text[:197] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _own_frame(exc: BaseException) -> tuple[str, int] | None:
    """(file, line) of the innermost frame in panelsite's own code, as the user sees the path."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        try:
            rel = path.resolve().relative_to(PACKAGE.parent)
        except (ValueError, OSError):
            continue
        if rel.parts and rel.parts[0] == "panelsite":
            found = (rel.as_posix(), frame.lineno)
    return found
