"""factsheet.md: the schema, reading the file and checking every figure it refers to.

A factsheet sits next to its survey (``content/<slug>/surveys/<id>/factsheet.md``).
The front matter names key figures by question, codes and statistic — never
typed numbers — and lists the municipality's measures. The Markdown body may
compute figures inline (``{{ pct("q1", [4, 5]) }}``, ``{{ change("q1") }}``: the key
figure against the previous round of the series). Every reference is checked
here against the survey definition, so a wrong question id or answer code fails
the build with the file and line, before anything is computed or rendered.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import nodes

from panelsite.config import dates
from panelsite.config import schema as s
from panelsite.config.yamlfile import Located
from panelsite.engine.content import split_front_matter
from panelsite.engine.hashing import content_hash
from panelsite.errors import ConfigError, Problem, did_you_mean, relpath
from panelsite.surveys.definition import GRADES, CodeList, Survey
from panelsite.surveys.figures import MULTI_SUM, STATS, available_stats, summed_multi_answers

STATUSES = ("taken", "planned", "investigating", "not possible")
QUARTER = re.compile(r"(\d{4})-Q([1-4])")


@dataclass(frozen=True)
class When:
    """A date or a quarter ("2026-Q3") by which a measure is (to be) done."""

    year: int
    quarter: int | None = None
    date: _dt.date | None = None

    @property
    def sort_key(self) -> _dt.date:
        return self.date or _dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> _dt.date:
        """The day after which it is late: the date, or the quarter's last day."""
        if self.date:
            return self.date
        return _dt.date(self.year + self.quarter // 4, 3 * self.quarter % 12 + 1, 1) - _dt.timedelta(days=1)


class Expected(s.Option):
    expected = "a date like 2026-09-01 or a quarter like 2026-Q3"

    def convert(self, value, path, ctx):
        if isinstance(value, _dt.datetime):
            value = value.date()
        if isinstance(value, _dt.date):
            day = dates.moved(value)
            return When(day.year, date=day)
        if isinstance(value, str):
            text = value.strip()
            match = QUARTER.fullmatch(text.upper())
            if match:
                # a demo's quarter moves with its dates: the quarter its first day moves into
                first = dates.moved(_dt.date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1))
                return When(first.year, (first.month - 1) // 3 + 1)
            try:
                day = dates.moved(_dt.date.fromisoformat(text))
                return When(day.year, date=day)
            except ValueError:
                pass
        raise s.Invalid(f"{s._show(value)} is not a date or quarter")

    def json_type(self):
        return {"type": "string", "pattern": r"^\s*(?:\d{4}-\d{2}-\d{2}|\d{4}-[Qq][1-4])\s*$"}


def _check_highlight(record, path, ctx):
    if record.get("codes") and record.get("stat") not in (None, "pct"):
        ctx.report(f"{path}.codes", f'codes only go with stat pct, not {record.stat} (expected no codes, or stat: pct)')


def _check_measure(record, path, ctx):
    reported = any(p.key == f"{path}.expected" for p in ctx.problems)  # an invalid value: said already
    if record.get("status") in ("planned", "investigating") and record.get("expected") is None and not reported:
        ctx.report(f"{path}.expected", f"is required for a measure that is {record.status} "
                                       "(expected a date like 2026-09-01 or a quarter like 2026-Q3)")


HIGHLIGHT = s.Mapping(
    {
        "question": s.Str(required=True, min_length=1, help="Id of the question in survey.yaml, like q1."),
        "codes": CodeList(help="Answer codes whose shares are added up, like [4, 5]; only with stat pct."),
        "stat": s.Choice(STATS, help="Which figure: pct (default for questions with options), top2, mean "
                                     "(default for grade and number), share_8plus, share_below6 or median."),
        "label": s.Str(required=True, min_length=1, help="What the figure means, after the number: "
                                                         '"is (zeer) tevreden over de afvalinzameling".'),
    },
    validator=_check_highlight,
)

MEASURE = s.Mapping(
    {
        "title": s.Str(required=True, min_length=1, help="What the municipality does, in a few words."),
        "status": s.Choice(STATUSES, required=True, help="taken, planned, investigating or not possible."),
        "explanation": s.Str(required=True, min_length=1, help="Why and how, in plain language (B1)."),
        "expected": Expected(help="When it was done or is expected: a date or a quarter like 2026-Q3 "
                                  "(required for planned and investigating)."),
        "department": s.Str(required=True, min_length=1, help="The team or department responsible."),
    },
    validator=_check_measure,
)

FOLLOW_UP = s.Mapping(
    {
        "date": s.Date(required=True, help="Date of this update."),
        "text": s.Str(required=True, min_length=1, help="What happened since (stand van zaken)."),
        "measure": s.Str(help="Title of the measure this update is about; the overview of measures shows it "
                              "there. Without it the update is news about the survey as a whole."),
    }
)

FACTSHEET = s.Mapping(
    {
        "title": s.Str(help="Title of the factsheet; default: the survey title."),
        "intro": s.Str(help="One or two sentences under the title."),
        "highlights": s.ListOf(HIGHLIGHT, required=True, min_items=1, help="Key figures, computed from the data."),
        "measures": s.ListOf(MEASURE, help='What the municipality does with the results ("wat doen we ermee").'),
        "follow_up": s.ListOf(FOLLOW_UP, help="Later updates on the measures (stand van zaken)."),
        "draft": s.Bool(default=False, help="Leave the factsheet out of the site until this line is removed "
                                            "(--drafts shows it with a banner); python build.py new survey "
                                            "starts every factsheet as a draft."),
    }
)

# What ``python build.py new survey`` writes into factsheet.md for the editor to replace
# (authoring/scaffold_templates/factsheet.md; tests/authoring/test_scaffold.py keeps the two
# together). A build for the public site refuses a factsheet that still holds one of them.
SCAFFOLD_TEXT = (
    "Schrijf hier in gewone woorden wat de uitkomsten zijn.",
    "van de inwoners is tevreden of zeer tevreden over de buurt.",
    "is (zeer) tevreden over de buurt",
    "gemiddeld rapportcijfer voor de buurt",
)

# Functions a factsheet body may call, and the statistic each asks for (change: the key
# figure's change since the previous round, in words).
FUNCTIONS = {"pct": "pct", "mean": "mean", "median": "median", "top2": "top2", "share": None, "change": "change"}
SHARES = {"8plus": "share_8plus", "below6": "share_below6", "top2": "top2"}
VARIABLES = {"n", "response_rate", "survey", "site"}


@dataclass
class Figure:
    """A reference to one computed number: question, codes (for pct) and statistic."""

    question: str
    codes: list | None
    stat: str


@dataclass
class Factsheet:
    survey: Survey
    file: str  # display path
    title: str
    intro: str | None
    highlights: list  # Records: question, codes, stat, label, figure (Figure)
    measures: list  # Records: title, status, explanation, expected (When | None), department
    follow_up: list  # Records: date, text (oldest first)
    body: str
    body_line: int
    source_hash: str
    located: Located | None = field(default=None, repr=False)
    draft: bool = False  # left out of the site unless the build runs with --drafts

    @property
    def path(self) -> str:
        return f"resultaten/{self.survey.id}/factsheet/"

    @property
    def pdf_path(self) -> str:
        return f"resultaten/{self.survey.id}/factsheet.pdf"

    @property
    def email_path(self) -> str:
        return f"resultaten/{self.survey.id}/factsheet-email"

    def latest_follow_up(self, measure: str | None = None):
        """The newest update about ``measure`` (a title), or about the survey as a whole (None)."""
        about = [f for f in self.follow_up if f.get("measure") == measure]
        return about[-1] if about else None

    @property
    def key(self) -> str:
        """Every input of this factsheet's outputs: its own file and its survey's data."""
        return self.source_hash + self.survey.source_hash


def read_factsheet(path: Path, survey: Survey, root: Path,
                   earlier: list[Survey] = ()) -> tuple[Factsheet | None, list[Problem]]:
    """Read, validate and cross-check one factsheet.md; returns it and every problem.

    ``earlier``: the rounds of the survey's series before it (what ``change()`` compares with)."""
    display = relpath(path, root)
    raw = path.read_bytes()
    try:
        located, body, body_line = split_front_matter(raw, display, required="highlights")
    except ConfigError as exc:
        return None, exc.problems
    record, problems = s.validate(FACTSHEET, located)
    highlights = []
    for i, h in enumerate(record.get("highlights") or []):
        if not h or not h.get("question"):
            continue
        figure, message = check_figure(survey, h.question, h.codes or None, h.stat)
        if message:
            problems.append(located.problem(f"highlights.{i}.{message.field}", message))
        else:
            highlights.append(s.Record(h, figure=figure))
    titles = [m.title for m in record.get("measures") or [] if m and m.get("title")]
    for i, f in enumerate(record.get("follow_up") or []):
        if f and f.get("measure") and f.measure not in titles:
            expected = (f"one of the measures' titles: {'; '.join(titles)}" if titles
                        else "a measures list with that title")
            problems.append(located.problem(f"follow_up.{i}.measure", f'no measure titled "{f.measure}"'
                                            f"{did_you_mean(f.measure, titles)} (expected {expected})"))
    problems += check_body(body, survey, display, body_line, earlier)
    problems.sort(key=lambda p: p.line or 0)
    if problems:
        return None, problems
    return Factsheet(
        survey=survey, file=display, title=record.title or survey.title, intro=record.intro,
        highlights=highlights, measures=list(record.measures), follow_up=sorted(record.follow_up, key=lambda f: f.date),
        body=body, body_line=body_line, source_hash=content_hash(raw), located=located, draft=record.draft,
    ), []


def scaffold_problems(factsheet: Factsheet, raw: str) -> list[Problem]:
    """A problem per line that still holds text of ``new survey``'s example (SCAFFOLD_TEXT)."""
    problems = []
    for number, line in enumerate(raw.splitlines(), 1):
        if number < factsheet.body_line and line.lstrip().startswith("#"):
            continue  # a comment of the front matter
        for text in SCAFFOLD_TEXT:
            if text in line:
                problems.append(Problem(factsheet.file, f'still holds the example text of new survey: "{text}" '
                                                        "(expected your own text about the results; or draft: true "
                                                        "while it is not ready)", line=number))
    return problems


class FigureProblem(str):
    """What is wrong with a figure reference; ``field`` is the highlight key it is about."""

    def __new__(cls, field: str, message: str):
        self = super().__new__(cls, message)
        self.field = field
        return self


def check_figure(survey: Survey, question_id: str, codes=None,
                 stat: str | None = None) -> tuple[Figure | None, FigureProblem | None]:
    """The figure a reference asks for, or the message saying what is wrong with it.

    Mirrors the checks of :meth:`SurveyResults.figure`, on the survey definition
    alone, so factsheets are checked without computing any results.
    """
    ids = [q.id for q in survey.questions]
    try:
        q = survey.question(str(question_id))
    except KeyError:
        close = _closest(str(question_id), ids)
        hint = f' (did you mean "{close}"?)' if close else f" (expected one of {', '.join(ids)})"
        return None, FigureProblem("question", f'unknown question "{question_id}" in survey {survey.id}{hint}')
    if codes is not None and not isinstance(codes, (list, tuple)):
        codes = [codes]
    if stat is None:
        stat = "pct" if codes is not None or q.key_stat == "pct" else q.key_stat
    available = available_stats(q)
    if stat not in available:
        expected = ", ".join(available) if available else "none: open answers have no figures"
        return None, FigureProblem("stat", f'statistic "{stat}" is not available for {q.id}, a {q.type} question '
                                           f'(expected {expected})')
    if stat == "pct":
        if codes is None:
            if not q.key_codes:
                return None, FigureProblem("stat",
                                           f"statistic \"pct\" of {q.id}, a {q.type} question, needs answer codes "
                                                   f"(expected codes like [8, 9, 10])")
            codes = list(q.key_codes)
        known = list(q.options) or list(GRADES)
        for code in codes:
            if code not in known:
                return None, FigureProblem("codes", f"unknown option {code!r} of question {q.id} in survey {survey.id} "
                                                    f"(expected one of {', '.join(map(str, known))})")
        if summed_multi_answers(q, codes):
            return None, FigureProblem("codes", MULTI_SUM.format(q=q.id, codes=list(codes)))
    return Figure(q.id, list(codes) if stat == "pct" else None, stat), None


def _closest(word: str, ids: list[str]) -> str | None:
    """The most similar question id (the first on a tie): short ids like q9 → q1 are close too."""
    scored = [(difflib.SequenceMatcher(None, word, i).ratio(), -n, i) for n, i in enumerate(ids)]
    best = max(scored, default=None)
    return best[2] if best and best[0] >= 0.5 else None


def reference(name: str, args: list) -> tuple[tuple | None, str | None]:
    """(question, codes, stat) of a body call like ``pct("q1", [4, 5])``, or what is wrong with it."""
    usage = {"pct": 'pct("q1", [4, 5])', "share": 'share("q5", "8plus")'}.get(name, f'{name}("q1")')
    if not args or not isinstance(args[0], str):
        return None, f"{name}() needs a question id first (expected {usage})"
    if name == "change":
        if len(args) != 1:
            return None, f"change() takes only a question id (expected {usage})"
        return (args[0], None, "change"), None
    if name == "pct":
        if len(args) > 2:
            return None, f"pct() takes a question and a list of codes (expected {usage})"
        return (args[0], args[1] if len(args) == 2 else None, "pct"), None
    if name == "share":
        if len(args) != 2 or args[1] not in SHARES:
            return None, f'share() needs one of {", ".join(map(repr, SHARES))} (expected {usage})'
        return (args[0], None, SHARES[args[1]]), None
    if len(args) != 1:
        return None, f"{name}() takes only a question id (expected {usage})"
    return (args[0], None, FUNCTIONS[name]), None


def check_change(survey: Survey, question_id: str, earlier: list[Survey]) -> str | None:
    """What is wrong with ``change(question_id)``, or None: the question has a key figure and an
    earlier round of the series asked it (with the same type)."""
    try:
        q = survey.question(str(question_id))
    except KeyError:
        ids = [q.id for q in survey.questions]
        return (f'unknown question "{question_id}" in survey {survey.id}{did_you_mean(str(question_id), ids)} '
                f'(expected one of {", ".join(ids)})')
    if not q.key_stat:
        return f"{q.id} is an open question: it has no figure to compare (expected a question with a key figure)"
    if not survey.series:
        return (f"survey {survey.id} is not part of a series, so there is no previous round to compare with "
                "(expected series: in survey.yaml, shared with an earlier round)")
    for other in earlier:
        if any(x.id == q.id and x.type == q.type for x in other.questions):
            return None
    return (f"no earlier round of series {survey.series} asks {q.id} as a {q.type} question "
            f"(expected a question asked in an earlier round too)")


def check_body(body: str, survey: Survey, display: str, body_line: int, earlier: list[Survey] = ()) -> list[Problem]:
    """Every inline figure of the Markdown body, checked; problems carry the file line."""
    env = jinja2.Environment()
    try:
        tree = env.parse(body)
    except jinja2.TemplateSyntaxError as exc:
        return [Problem(display, f"template error: {exc.message}", line=body_line + (exc.lineno or 1) - 1)]
    problems = []

    def report(node, message):
        problems.append(Problem(display, message, line=body_line + node.lineno - 1))

    called = set()
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name):
            continue
        name = call.node.name
        called.add(id(call.node))
        if name not in FUNCTIONS:
            known = list(FUNCTIONS)
            report(call, f"unknown function {name}(){did_you_mean(name, known)} (expected one of "
                         f"{', '.join(f + '()' for f in known)})")
            continue
        try:
            if call.kwargs or call.dyn_args or call.dyn_kwargs:
                raise nodes.Impossible()
            args = [a.as_const() for a in call.args]
        except nodes.Impossible:
            report(call, f"{name}(): write the question and codes out, like {name}(\"q1\"…) "
                         "(expected plain values, no variables or named arguments)")
            continue
        ref, message = reference(name, args)
        if ref is not None:
            message = check_change(survey, ref[0], earlier) if ref[2] == "change" else check_figure(survey, *ref)[1]
        if message:
            report(call, f"{name}(): {message}")
    for name in tree.find_all(nodes.Name):
        if id(name) in called or name.ctx != "load":
            continue
        if name.name not in VARIABLES:
            report(name, f'unknown variable "{name.name}"{did_you_mean(name.name, VARIABLES)} '
                         f"(expected one of {', '.join(sorted(VARIABLES))} or a function like pct(\"q1\", [4, 5]))")
    return problems


def load_factsheets(surveys: list[Survey], root: Path) -> dict[str, Factsheet]:
    """The factsheet of every survey that has one, keyed by survey id; raises with all problems."""
    found, problems = {}, []
    for survey in surveys:
        path = survey.source_dir / "factsheet.md"
        if not path.is_file():
            continue
        earlier = [s for s in surveys if survey.series and s.series == survey.series
                   and (s.fieldwork_end, s.id) < (survey.fieldwork_end, survey.id)]
        factsheet, more = read_factsheet(path, survey, root, earlier)
        problems.extend(more)
        if factsheet is not None:
            found[survey.id] = factsheet
    if problems:
        raise ConfigError(problems)
    return found
