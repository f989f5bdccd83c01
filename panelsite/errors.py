"""One exception hierarchy, so users see messages instead of tracebacks, and one way to warn.

Every user-facing problem is a :class:`Problem` pointing at its source
(file, line or row, key or column). Loaders collect problems and raise once
with all of them, so one run reports everything that is wrong.

A problem that does not stop the run (severity ``"warning"``) is reported with
:func:`warn`, through the logger :data:`LOG` (``panelsite.report``), which also
carries the progress lines a command prints. The command line installs one
:class:`ProblemHandler` for the whole run (:func:`reporting`): it prints every
line and counts the warnings. :func:`captured` keeps the warnings of a block
instead (a build worker hands them back to the main process).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import difflib
import logging
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one input file.

    Rendered as ``file:line: key: message`` (YAML/Markdown) or
    ``file:row N: column: message`` (CSV), the shape Jinja uses for its errors.
    """

    file: str
    message: str
    line: int | None = None
    key: str | None = None
    row: int | None = None
    severity: str = "error"  # or "warning": reported, and the run goes on
    # How many problems this one line stands for: more than 1 only for the
    # "… and N more problems" line that ends a capped list.
    count: int = 1

    def report_line(self) -> str:
        """The problem as the terminal shows it: ``error: file:line: key: message``."""
        return f"{self.severity}: {self}"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.row is not None:
            where += f": row {self.row}"
        if self.key:
            return f"{where}: {self.key}: {self.message}"
        return f"{where}: {self.message}"


class PanelsiteError(Exception):
    """Base of every error panelsite reports to its user."""

    exit_code = 1
    # What became of the output, after "N problems found; " (a partial build says what it built).
    consequence = "nothing was written."

    def __init__(self, problems: Iterable[Problem | str] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # Keep the structured problems when an error crosses a process pool.
        return (type(self), (self.problems,))

    def closing(self) -> str:
        """The line the command line prints after the problems: how many, and what was (not) written."""
        count = problem_count(self.problems)
        return f"{count} problem{'s' if count != 1 else ''} found; {self.consequence}"


class ConfigError(PanelsiteError):
    """Invalid configuration or content: the user's input is wrong (exit 2)."""

    exit_code = 2


class DataError(PanelsiteError):
    """Invalid survey data (CSV, survey definitions): exit 2."""

    exit_code = 2


class BuildError(PanelsiteError):
    """The input is valid but the site cannot be built (broken link, template error)."""

    exit_code = 1


def problem_count(problems: Iterable[Problem | str]) -> int:
    """How many problems a list holds, counting each "… and N more" line as its N."""
    return sum(p.count if isinstance(p, Problem) else 1 for p in problems)


def more_problems(file: str, hidden: int) -> Problem:
    """The line that ends a capped list of problems and stands for the ``hidden`` ones."""
    return Problem(file, f"… and {hidden} more problem{'s' if hidden != 1 else ''}", count=hidden)


class SitesSkipped(BuildError):
    """A build that wrote the valid municipalities' sites and skipped the others (exit 1).

    ``problems`` are those of the skipped sites; ``skipped`` names them (their previous
    sites are left as they were), ``built`` the sites that were written. ``results`` holds
    what the build returns when it succeeds (the preview reads it).
    """

    def __init__(self, problems, skipped: list[str], built: list[str], results: list | None = None):
        super().__init__(problems)
        self.skipped, self.built, self.results = list(skipped), list(built), list(results or [])

    def __reduce__(self):
        return (type(self), (self.problems, self.skipped, self.built, self.results))

    @property
    def consequence(self) -> str:  # noqa: D102 - see PanelsiteError
        return (f"skipped {', '.join(self.skipped)} (the previous site{'s are' if len(self.skipped) != 1 else ' is'} "
                f"left as it was); built {', '.join(self.built)}.")


def relpath(path: Path | str, root: Path | None = None) -> str:
    """A path as the user wrote it: relative to the project root when possible."""
    path = Path(path)
    base = root or Path.cwd()
    if root is not None and ".." not in path.parts and path.is_relative_to(root):
        return path.relative_to(root).as_posix()  # a file found under the root: no need to ask the disk
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def not_utf8(display: str, raw: bytes, exc: UnicodeDecodeError) -> Problem:
    """The problem of a text file that is not UTF-8, at the line of the first bad byte."""
    return Problem(display, f"not UTF-8 text ({exc.reason} at byte {exc.start}; expected the file saved as UTF-8)",
                   line=raw[:exc.start].count(b"\n") + 1)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean "x"?)' hint, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class ProblemList(list):
    """Collects problems; ``raise_if_any`` raises them all at once."""

    def add(self, file: str, message: str, **where) -> None:
        self.append(Problem(file, message, **where))

    def raise_if_any(self, error: type[PanelsiteError] = ConfigError) -> None:
        if self:
            raise error(sorted(self, key=_sort_key))


def _sort_key(p: Problem):
    return (p.file, p.line or 0, p.row or 0, p.key or "")


# --------------------------------------------------------------------------
# reporting: warnings and progress through logging

LOG = logging.getLogger("panelsite.report")
LOG.setLevel(logging.INFO)
# What a command tells its user is printed by its ProblemHandler, never a second time by a
# handler further up (the collector's JSON log of panelsite.collector, pytest's capture).
LOG.propagate = False

_KEPT: contextvars.ContextVar[list[Problem] | None] = contextvars.ContextVar("panelsite_kept", default=None)


def warn(problem: Problem) -> None:
    """Report a problem that does not stop the run (printed as ``warning: file:line: …``)."""
    problem = dataclasses.replace(problem, severity="warning")
    LOG.warning("%s", problem, extra={"problem": problem})


class ProblemHandler(logging.Handler):
    """Prints what a command reports, a line per record, and counts the problems by severity."""

    def __init__(self, write: Callable[[str], object] | None = None):
        super().__init__(logging.INFO)
        self.write = write
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        problem = getattr(record, "problem", None)
        if problem is not None:
            self.counts[problem.severity] += 1
            line = problem.report_line()
        else:
            line = record.getMessage()
        if self.write is not None:
            self.write(line)
        else:  # sys.stdout as it is now (a test may have replaced it)
            print(line, file=sys.stdout, flush=True)


@contextlib.contextmanager
def reporting(write: Callable[[str], object] | None = None) -> Iterator[ProblemHandler]:
    """Within the block, what is reported goes to one ProblemHandler (``write``: default stdout).

    It replaces the handler of an enclosing block for the while (a command that prints its
    result on stdout sends its warnings to stderr).
    """
    handler = ProblemHandler(write)
    outer = LOG.handlers[:]
    LOG.handlers[:] = [handler]
    try:
        yield handler
    finally:
        LOG.handlers[:] = outer


def reported(severity: str = "warning") -> int:
    """How many problems of ``severity`` the active ProblemHandler has printed."""
    return sum(h.counts[severity] for h in LOG.handlers if isinstance(h, ProblemHandler))


def _keep(record: logging.LogRecord) -> bool:
    kept = _KEPT.get()
    if kept is None:
        return True
    problem = getattr(record, "problem", None)
    if problem is not None:
        kept.append(problem)
    return False  # neither printed nor counted: whoever captured decides


LOG.addFilter(_keep)


@contextlib.contextmanager
def captured() -> Iterator[list[Problem]]:
    """The warnings reported within the block (in this thread), kept instead of printed; progress
    lines are dropped. A build worker returns them, a loader that only wants names ignores them."""
    kept: list[Problem] = []
    token = _KEPT.set(kept)
    try:
        yield kept
    finally:
        _KEPT.reset(token)
