"""A first survey.yaml from the file's own labels, for a round that has none yet.

Question texts come from variable labels (SPSS), the question row (Qualtrics), the headings
(LimeSurvey, Excel); options from value labels or the answer texts; user-missing values
become ``missing`` codes; a multiple-response set or a run of ``q3_1, q3_2 …`` 0/1 columns
becomes one multi question. The type is a guess from the values (a report mark 1–10 when
the label says "cijfer", a scale when the labels run from negative to positive, a number,
an open question for free text) and so is marked ``# check``, as is every other guess.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field

import pandas as pd

from panelsite.importing import matching as m
from panelsite.importing.recode import cell, shown
from panelsite.importing.table import OPEN_TEXT, SourceColumn, SourceTable
from panelsite.importing.words import NOT_SHOWN, TICKED, UNTICKED, norm
from panelsite.surveys.definition import THEMES
from panelsite.surveys.responses import parse_number

# Ordered answer scales: labels matching one of these (in any spelling norm() equates) form a scale.
SCALES = [
    [
        "zeer ontevreden",
        "ontevreden",
        {"niet tevreden niet ontevreden", "neutraal", "noch tevreden noch ontevreden"},
        "tevreden",
        "zeer tevreden",
    ],
    [
        "helemaal mee oneens",
        "mee oneens",
        {"niet mee eens niet mee oneens", "neutraal", "neutraal niet eens niet oneens"},
        "mee eens",
        "helemaal mee eens",
    ],
    ["zeer slecht", "slecht", {"niet goed niet slecht", "neutraal", "matig"}, "goed", "zeer goed"],
    ["nooit", "zelden", "soms", "vaak", {"altijd", "heel vaak"}],
    [
        "zeer onbelangrijk",
        "onbelangrijk",
        {"neutraal", "niet belangrijk niet onbelangrijk"},
        "belangrijk",
        "zeer belangrijk",
    ],
    ["zeer onwaarschijnlijk", "onwaarschijnlijk", {"neutraal", "misschien"}, "waarschijnlijk", "zeer waarschijnlijk"],
]
NO_ANSWER = {
    "weet niet",
    "geen mening",
    "weet niet geen mening",
    "n v t",
    "nvt",
    "niet van toepassing",
    "wil ik niet zeggen",
    "zeg ik liever niet",
    "geen antwoord",
    "don t know",
    "prefer not to say",
}
GRADE_WORDS = ("cijfer", "rapportcijfer", "grade", "score van 1 tot 10")


@dataclass
class DraftQuestion:
    id: str
    text: str
    type: str
    columns: dict  # option code → source column (multi), or {None: column}
    options: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)  # key → why it is a guess


def questions(table: SourceTable, matched: m.Matched) -> list[DraftQuestion]:
    """A draft question for every column (or set of columns) that is no background variable and not dropped."""
    free = [c for c in table.columns if matched.targets[c.name].kind == m.UNKNOWN]
    free_names = {c.name for c in free}
    used: set[str] = set()
    ids: set[str] = set()
    out: list[DraftQuestion] = []
    sets = [s for s in table.multi_sets if s.columns and all(c in free_names for c in s.columns)]
    sets += _runs(free, {c for s in sets for c in s.columns})
    by_first = {s.columns[0]: s for s in sets}
    for column in free:
        if column.name in used:
            continue
        mr = by_first.get(column.name)
        if mr is not None:
            members = [table.column(c) for c in mr.columns]
            if all(_flags(c) for c in members):
                out.append(_multi(mr, members, ids))
                used.update(mr.columns)
                continue
        question = _single(column, ids, table.tool)
        if question is not None:
            out.append(question)
        used.add(column.name)
    return out


def _runs(columns: list[SourceColumn], taken: set[str]):
    """Runs of columns named like one question's options: q3_1, q3_2 … or q3[SQ001], q3[SQ002] …"""
    from panelsite.importing.table import MultiSet

    groups: dict[str, list[str]] = {}
    for c in columns:
        if c.name in taken:
            continue
        base = c.group or (re.fullmatch(r"(.+?)[_.#\-\[]\s*[A-Za-z]{0,3}0*\d+\]?", c.name) or [None, None])[1]
        if base:
            groups.setdefault(base, []).append(c.name)
    return [MultiSet(base, None, names) for base, names in groups.items() if len(names) >= 2]


def _flags(column: SourceColumn) -> bool:
    values = [cell(v) for v in pd.unique(column.values) if cell(v) is not None]
    if not values:
        return True
    words = {norm(column.value_labels.get(v, v)) if isinstance(v, (int, float)) else norm(v) for v in values}
    if words <= TICKED | UNTICKED | NOT_SHOWN | {"1", "0"}:
        return True
    return len(values) == 1 and isinstance(values[0], str)  # "choice text": the option's label when ticked


def _multi(mr, members: list[SourceColumn], ids: set[str]) -> DraftQuestion:
    codes = []
    for position, c in enumerate(members, start=1):
        code = c.option_code if isinstance(c.option_code, int) else None
        if code is None:
            digits = re.search(r"(\d+)\]?$", c.name)
            code = int(digits.group(1)) if digits else position
        codes.append(code)
    if len(set(codes)) != len(codes):
        codes = list(range(1, len(members) + 1))
    options, checks = {}, {}
    for code, c in zip(codes, members):
        values = [
            cell(v)
            for v in pd.unique(c.values)
            if isinstance(cell(v), str) and norm(cell(v)) not in TICKED | UNTICKED | NOT_SHOWN
        ]
        label = c.option_label or (values[0] if len(values) == 1 else None) or _label_tail(c.label)
        if not label:
            label, checks["options"] = c.name, "option labels: the file gives none"
        options[code] = label
    text = mr.label or _common_text(members)
    if not text:
        text, checks["text"] = mr.name, "the file gives no question text"
    qid = _id(mr.name, ids)
    checks["type"] = "a multiple-response question: one 0/1 column per option"
    return DraftQuestion(qid, text, "multi", dict(zip(codes, members)), options, {}, checks)


def _single(column: SourceColumn, ids: set[str], tool: str) -> DraftQuestion | None:
    text = column.label or column.name
    checks = {} if column.label or len(column.name.split()) > 3 else {"text": "the file gives no question text"}
    qid = _id(column.name, ids)
    values = [cell(v) for v in pd.unique(column.values) if cell(v) is not None]
    if not values:
        return None
    q = DraftQuestion(qid, text, "open", {None: column}, checks=checks)
    numbers = [v if isinstance(v, (int, float)) else parse_number(str(v)) for v in values]
    if column.role == OPEN_TEXT and not all(n is not None for n in numbers):
        q.checks["type"] = "a text-entry question: answers go to the private folder, never into the repository"
        return q
    labelled = {k: v for k, v in column.value_labels.items() if isinstance(k, (int, float))}
    valid = {v for v in values if isinstance(v, (int, float)) and not column.is_user_missing(v)}
    if labelled and len(valid & set(labelled)) * 2 >= len(valid):
        missing = {k: v for k, v in labelled.items() if column.is_user_missing(k)}
        for v in values:
            if isinstance(v, (int, float)) and column.is_user_missing(v) and v not in missing:
                missing[v] = f"Ontbrekend ({shown(v)})"
                q.checks["missing"] = "a user-missing value without a label"
        options = {k: v for k, v in labelled.items() if k not in missing}
        extra = [v for v in values if isinstance(v, int) and v not in labelled and not column.is_user_missing(v)]
        for v in sorted(extra):
            options[v] = str(v)
            q.checks["options"] = "codes in the data without a value label"
        q.options, q.missing = dict(sorted(options.items())), dict(sorted(missing.items()))
        q.type = _kind(q, column)
        q.checks["type"] = "from the value labels"
        return q
    if all(n is not None for n in numbers):
        valid = sorted({n for n in numbers if not column.is_user_missing(n)})
        filled = int(sum(1 for v in column.values if cell(v) is not None))
        if (
            column.role != OPEN_TEXT
            and valid
            and all(float(n).is_integer() and 0 <= n <= 20 for n in valid)
            and len(valid) <= 11
            and len(valid) * 3 <= filled
            and not any(w in norm(text) for w in GRADE_WORDS)
        ):
            q.type, q.checks["type"] = "single", "a few whole numbers that repeat: codes of a closed question?"
            q.options = {int(n): str(int(n)) for n in valid}
            q.checks["options"] = "the file has codes without labels: write each option's label"
            return q
        q.type, q.checks["type"] = "number", "every answer is a number"
        user_missing = sorted({n for n in numbers if column.is_user_missing(n)})
        whole = all(float(n).is_integer() for n in numbers if not column.is_user_missing(n))
        if (
            whole
            and all(1 <= n <= 10 for n in numbers if not column.is_user_missing(n))
            and any(w in norm(text) for w in GRADE_WORDS)
        ):
            q.type, q.checks["type"] = "grade", "whole numbers 1 to 10 and the text says cijfer"
        q.missing = {
            int(n) if float(n).is_integer() else n: labelled.get(n, f"Ontbrekend ({n:g})") for n in user_missing
        }
        if any(n not in labelled for n in user_missing):
            q.checks["missing"] = "user-missing values without a label"
        return q
    texts = [str(v) for v in values]
    filled = int(sum(1 for v in column.values if cell(v) is not None))
    # Closed answers are few, short and repeat; anything else is free text, which must never become
    # option labels in survey.yaml (the repository): when in doubt, open. SPSS agencies code closed
    # questions as numbers, so an SPSS text variable is an open question.
    closed = (
        tool != "SPSS"
        and len(texts) <= 12
        and len(texts) * 3 <= max(filled, 3)
        and all(len(t) <= 40 and len(t.split()) <= 6 and not re.search(r"[.!?]$", t) for t in texts)
    )
    if closed:
        order = _scale_order(texts)
        answers = [t for t in texts if norm(t) not in NO_ANSWER]
        if order is not None:
            answers = sorted(answers, key=order)
            q.type, q.checks["type"] = "scale", "the answers run from negative to positive"
        else:
            q.type, q.checks["type"] = "single", "a few answers that repeat"
            q.checks["options"] = "codes numbered in the order the answers first appear"
        q.options = {i: t for i, t in enumerate(answers, start=1)}
        extra = [t for t in texts if norm(t) in NO_ANSWER]
        start = 9 if len(answers) < 9 else 99
        q.missing = {start + i: t for i, t in enumerate(extra)}
        return q
    q.checks["type"] = "free text: answers go to the private folder, never into the repository"
    return q


def _kind(q: DraftQuestion, column: SourceColumn) -> str:
    codes = list(q.options)
    if codes and all(isinstance(c, int) for c in codes):
        if set(codes) <= set(range(1, 11)) and any(w in norm(q.text) for w in GRADE_WORDS) and len(codes) >= 9:
            return "grade"
        if _scale_order(list(q.options.values())) is not None and codes == list(range(codes[0], codes[0] + len(codes))):
            return "scale"
    return "single"


def _scale_order(texts: list[str]):
    answers = [norm(t) for t in texts if norm(t) not in NO_ANSWER]
    if len(answers) < 3:
        return None
    for scale in SCALES:
        position = {}
        for i, step in enumerate(scale):
            for word in step if isinstance(step, set) else {step}:
                position[word] = i
        if all(a in position for a in answers):
            return lambda t, p=position: p[norm(t)]
    return None


def _label_tail(label: str | None) -> str | None:
    if not label:
        return None
    for separator in (" - ", " [", ": "):
        if separator in label:
            return label.rpartition(separator)[2].rstrip("]").strip() or None
    return label


def _common_text(members: list[SourceColumn]) -> str | None:
    stems = set()
    for c in members:
        if not c.label:
            return None
        for separator in (" - ", " [", ": "):
            if separator in c.label:
                stems.add(c.label.rpartition(separator)[0].strip())
                break
        else:
            return None
    return stems.pop() if len(stems) == 1 else None


def _id(name: str, ids: set[str]) -> str:
    """The column's name when it is a code (Q1, v12a), else q1, q2 … in order (a heading that is a text)."""
    base = re.sub(r"[^a-z0-9]", "", norm(name).replace(" ", ""))
    if not base or not base[0].isalpha() or len(base) > 12 or len(norm(name).split()) > 1:
        base = f"q{len(ids) + 1}"
    qid, n = base, 1
    while qid in ids:
        n += 1
        qid = f"{base}v{n}"
    ids.add(qid)
    return qid


# --- the YAML ----------------------------------------------------------------


def _fit(q: DraftQuestion) -> None:
    """Make the guess one the build accepts: a label per code, and a grade only without missing codes 1–10."""
    seen: dict[str, object] = {}
    for key in ("options", "missing"):
        codes = getattr(q, key)
        for code, label in list(codes.items()):
            label = " ".join(str(label).split()) or f"Code {code}"
            if norm(label) in seen:
                label = f"{label} (code {code})"
                q.checks[key] = "two codes had the same label"
            seen[norm(label)] = code
            codes[code] = label
    if q.type == "grade" and any(isinstance(c, (int, float)) and 1 <= c <= 10 for c in q.missing):
        q.type, q.checks["type"] = "number", "numbers with missing codes between 1 and 10"


def yaml_text(
    draft: list[DraftQuestion], table: SourceTable, survey_id: str, background: list[str], rows: int, today: _dt.date
) -> str:
    """survey.yaml with a ``# check`` comment on every guess."""
    dates = sorted(table.dates)
    start, end = (dates[0], dates[-1]) if dates else (today, today)
    date_check = "from the response dates in the file" if dates else "the file holds no dates"
    title = table.title or f"Onderzoek {survey_id.replace('-', ' ')}"
    lines = [
        f"# Draft made by `python build.py import` from {table.file} ({table.tool}) on {today.isoformat()}.",
        '# Every line marked "# check" is a guess: check it against the questionnaire, then remove the mark.',
        f"title: {_q(title)}  # check: {'the file label' if table.title else 'made from the survey id'}",
        f"theme: overig  # check: one of {', '.join(THEMES)}",
        "fieldwork:",
        f"  start: {start.isoformat()}  # check: {date_check}",
        f"  end: {end.isoformat()}  # check: {date_check}",
        f"invited: {max(rows, 1)}  # check: the number of panel members invited (now: the rows in the file)",
        f"publish_on: {(end + _dt.timedelta(days=28)).isoformat()}  # check: the embargo, four weeks after fieldwork",
    ]
    if background:
        lines += [
            "weighting:  # check: weighting by every background variable found in the file",
            f"  by: [{', '.join(background)}]",
            f"breakdowns: [{background[0]}]  # check",
        ]
    lines.append("questions:")
    for q in draft:
        _fit(q)
        lines.append(f"  - id: {q.id}")
        lines.append(f"    text: {_q(q.text)}" + (f"  # check: {q.checks['text']}" if "text" in q.checks else ""))
        lines.append(f"    type: {q.type}  # check: {q.checks.get('type', 'guessed from the values')}")
        for key in ("options", "missing"):
            codes = getattr(q, key)
            if codes:
                lines.append(f"    {key}:" + (f"  # check: {q.checks[key]}" if key in q.checks else ""))
                lines += [f"      {_code(code)}: {_q(label)}" for code, label in codes.items()]
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    return json.dumps(" ".join(str(text).split()), ensure_ascii=False)  # a double-quoted YAML scalar


def _code(code) -> str:
    if isinstance(code, float) and code.is_integer():
        code = int(code)
    return str(code) if isinstance(code, (int, float)) else _q(code)


def targets(draft: list[DraftQuestion], questions_by_id: dict) -> dict[str, m.Target]:
    """The draft's own matching: each question's columns, known without guessing."""
    out = {}
    for d in draft:
        q = questions_by_id[d.id]
        if d.type == "multi":
            for code, column in d.columns.items():
                out[column.name] = m.Target(m.OPTION, f"{q.id}_{code}", q, code, how="draft")
        else:
            out[d.columns[None].name] = m.Target(m.QUESTION, q.id, q, how="draft")
    return out
