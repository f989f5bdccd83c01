"""How easy the Dutch texts are to read: a check against the B1 guidance.

Dutch government writes for language level B1 ("taalniveau B1"): short
sentences (on average at most 15 words, none much longer than 20) and common,
short words. No formula proves B1, so this check gives authors the signals
editors look at, each pointing at the file and line:

* every sentence of more than ``LONG_SENTENCE`` words;
* per text: the average sentence length and the Flesch-Douma reading ease
  (the Dutch Flesch formula, Douma 1960), ``206.84 − 0.77·S − 0.93·W`` with
  S syllables per 100 words and W words per sentence; 60 and up reads as
  "vrij makkelijk" or easier. A text below ``MIN_READING_EASE`` or above
  ``MAX_AVERAGE_WORDS`` words per sentence gets a warning. Texts under
  ``MIN_WORDS`` words are too short for an average to mean anything.

What is read, file by file (drafts too: they are what is being written): the
Markdown of every page (shared and per municipality), the title, summary and
question texts of every survey.yaml, and every factsheet (its text, intro,
measures and follow-up). Headings, list items and table cells are sentences
of their own; a Jinja expression is one word (it prints a figure or a name);
Jinja statements, code, HTML tags and link targets are left out. With
``--built``, :func:`analyse_html` reads the text in each built page's
``<main>`` the same way, block element by block element.

Syllables are counted on the Dutch hyphenation patterns (pyphen's nl_NL,
which WeasyPrint already installs), so compound words count right. Written by
hand: textstat has Flesch-Douma too, but brings nltk for one formula.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from panelsite.errors import LOG, Problem, captured, warn

LONG_SENTENCE = 20  # words
MAX_AVERAGE_WORDS = 15
MIN_READING_EASE = 60
MIN_WORDS = 60

# Abbreviations whose full stop ends no sentence ("bijv. de", "o.a. het").
ABBREVIATIONS = {
    "bijv", "bv", "o.a", "d.w.z", "enz", "etc", "ca", "nr", "nrs", "m.b.t", "i.v.m", "t.a.v", "z.o.z", "mr",
    "dhr", "mevr", "drs", "ir", "dr", "prof", "jl", "vnl", "resp", "evt", "incl", "excl", "min", "max", "tel",
    "e.d", "a.u.b", "t.o.v", "m.a.w", "o.b.v", "i.p.v", "p.p", "blz", "zgn", "vgl", "st", "str",
}
VOWELS = set("aeiouyáéíóúàèìòùâêîôûäëïöü")
_VOWEL_RUN = re.compile("[äëïöü][aeiouyáéíóúàèìòùâêîôû]*|[aeiouyáéíóúàèìòùâêîôû]+")

_WORD = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿ]+(?:[-'’.,/][0-9A-Za-zÀ-ÖØ-öø-ÿ]+)*%?")
_SENTENCE_END = re.compile(r"([.!?…]+)[\"'”’)]*(?=\s|$)")
_INLINE = [
    (re.compile(r"\{#.*?#\}", re.S), ""),  # Jinja comment
    (_STATEMENT := re.compile(r"\{%.*?%\}", re.S), ""),  # Jinja statement
    (re.compile(r"\{\{.*?\}\}", re.S), " 12 "),  # Jinja expression: prints one word (a figure, a name)
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # image (its alt text is not running text)
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # link: its text
    (re.compile(r"\[([^\]]*)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"`[^`]*`"), " code "),
    (re.compile(r"<[^>]+>"), " "),
    (re.compile(r"\{:?[^}]*\}"), ""),  # attribute list {: .class } or {#id}
    (_URL := re.compile(r"https?://\S+"), " adres "),  # read as one word, not spelled out
    (_EMAIL := re.compile(r"\S+@\S+\.\w+"), " adres "),
    (re.compile(r"[*_~]+"), ""),
]
_BLOCK_START = re.compile(r"^\s{0,3}(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s?)")


@dataclass
class Sentence:
    line: int
    words: int
    text: str


@dataclass
class TextReport:
    """The figures of one text (a page, or a part of a factsheet) and its long sentences."""

    file: str
    line: int  # where the text starts
    words: int = 0
    syllables: int = 0
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def average_words(self) -> float:
        return self.words / len(self.sentences) if self.sentences else 0.0

    @property
    def reading_ease(self) -> float:
        """Flesch-Douma: 206.84 − 0.77 × syllables per 100 words − 0.93 × words per sentence."""
        if not self.words:
            return 100.0
        return 206.84 - 0.77 * (100 * self.syllables / self.words) - 0.93 * self.average_words

    def add(self, line: int, sentence: str) -> None:
        """Count one sentence (one that has no words, like a lone "–", is none)."""
        words = _WORD.findall(sentence)
        if words:
            self.words += len(words)
            self.syllables += sum(syllables(w) for w in words)
            self.sentences.append(Sentence(line, len(words), " ".join(sentence.split())))

    def long_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences if s.words > LONG_SENTENCE]

    def notes(self) -> list[tuple[int, str]]:
        """``(line, what)`` for each long sentence, then for the text as a whole."""
        out = [(s.line, f"sentence of {s.words} words (B1: at most {LONG_SENTENCE}): \"{_excerpt(s.text)}\"")
               for s in self.long_sentences()]
        if self.words >= MIN_WORDS:
            if self.average_words > MAX_AVERAGE_WORDS:
                out.append((self.line, f"{self.average_words:.1f} words per sentence on average "
                                       f"(B1: at most {MAX_AVERAGE_WORDS})"))
            if round(self.reading_ease) < MIN_READING_EASE:
                out.append((self.line, f"reading ease {self.reading_ease:.0f} (Flesch-Douma; B1 texts score "
                                       f"{MIN_READING_EASE} or more: use shorter words and sentences)"))
        return out

    def problems(self) -> list[Problem]:
        """The notes as warnings at their file and line."""
        return [Problem(self.file, what, line=line, severity="warning") for line, what in self.notes()]

    def warnings(self) -> list[str]:
        """The notes as ``file:line: …``."""
        return [str(p) for p in self.problems()]


def analyse(text: str, file: str, first_line: int = 1, markdown: bool = True) -> TextReport:
    """The report of ``text``, whose first line is line ``first_line`` of ``file``."""
    report = TextReport(file, first_line)
    for line, block in _blocks(text, first_line) if markdown else [(first_line, text)]:
        for sentence_line, sentence in _sentences(block, line):
            report.add(sentence_line, sentence)
    return report


@functools.lru_cache(maxsize=1 << 16)  # words repeat: the hyphenation patterns are pure Python
def syllables(word: str) -> int:
    """Syllables of one Dutch word (an estimate), from its hyphenation and its vowels."""
    if any(c.isdigit() for c in word):
        return 1  # "2026", "62,4%": a number counts as one, however it is read
    count = 0
    for part in re.split(r"[-'’.,/]", word.lower()):
        if not any(c in VOWELS for c in part):
            count += len(part) if len(part) > 1 else 0  # "gft", "BRP" are spelled out; the "s" of "auto's" is none
            continue
        for segment in _hyphenator().inserted(part).split("-"):
            # A run of vowels is one syllable ("ee", "ui", "ieu"); a diaeresis starts a new one
            # ("ideeën"). The patterns split most runs that are two syllables ("the-a-ter").
            count += len(_VOWEL_RUN.findall(segment))
    return max(count, 1)


@functools.cache
def _hyphenator():
    import pyphen

    return pyphen.Pyphen(lang="nl_NL", left=1, right=1)


def _blocks(text: str, first_line: int):
    """(line, text) of each block of running text: a paragraph, heading, list item or table cell."""
    block: list[str] = []
    start = first_line
    fenced = False
    comment = False
    for number, raw in enumerate(text.split("\n"), start=first_line):
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            yield from _flush(block, start)
            block = []
            continue
        if fenced:
            continue
        if comment or stripped.startswith("<!--"):  # a comment for editors, not for residents
            comment = "-->" not in stripped
            yield from _flush(block, start)
            block = []
            continue
        if "{%" in line:  # a Jinja statement prints nothing; the text around it stays
            line = _STATEMENT.sub("", line)
            stripped = line.strip()
            if not stripped:
                yield from _flush(block, start)
                block = []
                continue
        if not stripped or re.fullmatch(r"[-*_=\s]{3,}|\|?[\s:|-]+\|?", stripped):
            yield from _flush(block, start)
            block = []
            continue
        if stripped.startswith("|"):  # a table row: each cell stands alone
            yield from _flush(block, start)
            block = []
            for cell in stripped.strip("|").split("|"):
                yield from _flush([cell], number)
            continue
        if _BLOCK_START.match(line) or raw.startswith("    ") and not block:
            yield from _flush(block, start)
            block, start = [_BLOCK_START.sub("", line)], number
            continue
        if not block:
            start = number
        block.append(line)
    yield from _flush(block, start)


def _flush(block: list[str], start: int):
    if block:
        text = "\n".join(block)
        for pattern, replacement in _INLINE:
            text = pattern.sub(replacement, text)
        if text.strip():
            yield start, text


def _sentences(block: str, first_line: int):
    """(line, sentence) of each sentence in a block; a block without a full stop is one sentence."""
    start = 0
    for match in _SENTENCE_END.finditer(block):
        before = block[start:match.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        if match.group(1) == "." and (last in ABBREVIATIONS or re.fullmatch(r"[a-z]", last)):
            continue  # "bijv." or an initial
        yield first_line + block.count("\n", 0, start) + _leading_newlines(block, start), block[start:match.end()]
        start = match.end()
    if block[start:].strip():
        yield first_line + block.count("\n", 0, start) + _leading_newlines(block, start), block[start:]


def _leading_newlines(block: str, start: int) -> int:
    rest = block[start:]
    return rest[: len(rest) - len(rest.lstrip())].count("\n")


def _excerpt(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# The texts of a survey.yaml and of a factsheet's front matter that residents read ("*": every item).
SURVEY_TEXTS = ("title", "summary", "questions.*.text")
FACTSHEET_TEXTS = ("title", "intro", "measures.*.title", "measures.*.explanation", "follow_up.*.text")


def source_files(root: Path, slugs) -> list[Path]:
    """The text sources of these municipalities: shared pages, then per municipality its pages,
    and per survey its survey.yaml and factsheet.md. Drafts too: they are what is being written."""
    from panelsite.engine.content import DATA_FOLDERS

    files = sorted((root / "content" / "_shared").rglob("*.md"))
    for slug in slugs:
        folder = root / "content" / slug
        if not folder.is_dir():
            continue
        files += [p for p in sorted(folder.rglob("*.md")) if p.relative_to(folder).parts[0] not in DATA_FOLDERS]
        for survey in sorted(p for p in (folder / "surveys").glob("*") if p.is_dir()):
            files += [p for p in (survey / "survey.yaml", survey / "factsheet.md") if p.is_file()]
    return files


def is_source(path: Path, root: Path) -> bool:
    """Whether ``path`` is a text source (for the preview, which knows only what changed)."""
    try:
        parts = path.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return False
    if len(parts) < 3 or parts[0] != "content":
        return False
    from panelsite.engine.content import DATA_FOLDERS

    if parts[2] == "surveys":
        return len(parts) == 5 and parts[4] in ("survey.yaml", "factsheet.md")
    return path.suffix == ".md" and parts[2] not in DATA_FOLDERS


def file_texts(path: Path, root: Path) -> list[tuple[str, int, str, bool]]:
    """``(file, line, text, markdown)`` of each text in one source file; raises ConfigError
    (with file and line) when the file cannot be read, as the build would."""
    from panelsite.config import yamlfile
    from panelsite.engine.content import split_front_matter
    from panelsite.errors import relpath

    display = relpath(path, root)
    raw = path.read_bytes()
    if path.name == "survey.yaml":
        return _located_texts(yamlfile.parse_bytes(raw, display), SURVEY_TEXTS)
    factsheet = path.name == "factsheet.md" and path.parent.parent.name == "surveys"
    located, body, body_line = split_front_matter(raw, display, required="highlights" if factsheet else "title")
    return (_located_texts(located, FACTSHEET_TEXTS) if factsheet else []) + [(display, body_line, body, True)]


def _located_texts(located, keys) -> list[tuple[str, int, str, bool]]:
    out = []

    def walk(value, parts, path):
        if not parts:
            if isinstance(value, str):
                out.append((located.file, located.line(path), value, False))
        elif parts[0] == "*":
            for i, item in enumerate(value if isinstance(value, list) else []):
                walk(item, parts[1:], f"{path}.{i}")
        elif isinstance(value, dict) and parts[0] in value:
            walk(value[parts[0]], parts[1:], f"{path}.{parts[0]}" if path else parts[0])

    for key in keys:
        walk(located.data, key.split("."), "")
    return sorted(out, key=lambda item: item[1])


def check_files(files, root: Path) -> tuple[int, int]:
    """Report every text of these files (panelsite.errors.warn); returns (texts, warnings). Files
    that cannot be read raise one ConfigError with all their problems, after the others are reported."""
    from panelsite.errors import ConfigError

    count = warnings = 0
    problems = []
    for path in files:
        try:
            found = file_texts(path, root)
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        for file, line, text, markdown in found:
            count += 1
            for problem in analyse(text, file, line, markdown).problems():
                warn(problem)
                warnings += 1
    if problems:
        raise ConfigError(problems)
    return count, warnings


def check_built(folder: Path, root: Path) -> tuple[int, int]:
    """Report the built pages under ``folder`` (the text templates add); returns (pages, warnings)."""
    from panelsite.errors import relpath

    pages = sorted(folder.rglob("*.html"))
    warnings = 0
    for page in pages:
        for problem in analyse_html(page.read_text(encoding="utf-8"), relpath(page, root)).problems():
            warn(problem)
            warnings += 1
    return len(pages), warnings


def main(options, strict: bool = False, built: bool = False) -> int:
    """``python build.py readability``: warnings only; with ``strict`` a warning fails (exit 1)."""
    from panelsite.config.municipality import load_municipalities

    with captured():  # the build reports the configuration's warnings; this command is about texts
        slugs = list(load_municipalities(options.root, options.only))
    files = source_files(options.root, slugs)
    count, warnings = check_files(files, options.root)
    checked = f"{count} texts in {len(files)} files of {len(slugs)} municipalit{'ies' if len(slugs) != 1 else 'y'}"
    if built:
        missing = [slug for slug in slugs if not (options.out / slug).is_dir()]
        if missing:
            LOG.info(f"error: no built site for {', '.join(missing)} in {options.out} (run python build.py first)")
            return 1
        pages = 0
        for slug in slugs:
            found, more = check_built(options.out / slug, options.root)
            pages, warnings = pages + found, warnings + more
        checked += f" and {pages} built pages"
    LOG.info(f"Checked {checked}: {warnings} warning{'s' if warnings != 1 else ''} "
             f"(B1 guidance: sentences of at most {LONG_SENTENCE} words, {MAX_AVERAGE_WORDS} on average, "
             f"reading ease {MIN_READING_EASE} or more).")
    return 1 if strict and warnings else 0


_HTML_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "caption", "figcaption",
                "label", "legend", "summary", "button", "blockquote", "div", "section", "article", "tr", "ul", "ol",
                "table", "form", "fieldset", "details", "figure", "br", "option", "select", "textarea"}
_NOT_TEXT = {"script", "style", "svg", "template"}


def analyse_html(html: str, file: str) -> TextReport:
    """The report of the running text in a built page's ``<main>`` (templates write text too)."""
    start, end = html.find("<main"), html.rfind("</main>")
    if start == -1 or end == -1:
        return TextReport(file, 1)
    parser = _MainText(TextReport(file, 1), first_line=html.count("\n", 0, start) + 1)
    parser.feed(html[start:end + len("</main>")])  # only <main> holds the page's own text
    parser.close()
    parser.flush()
    return parser.report


class _MainText(HTMLParser):
    """The blocks of text in ``<main>``, each a run of sentences (block elements end one)."""

    def __init__(self, report: TextReport, first_line: int = 1):
        super().__init__(convert_charrefs=True)
        self.report = report
        self.lines_before = first_line - 1  # the fed text starts on this line of the page (HTMLParser owns .offset)
        self.depth = 0  # inside <main>
        self.skip = 0  # inside an element without running text
        self.parts: list[str] = []
        self.line = 1

    def flush(self) -> None:
        if not self.parts:
            return
        text = _URL.sub(" adres ", _EMAIL.sub(" adres ", " ".join("".join(self.parts).split())))
        self.parts = []
        for line, sentence in _sentences(text, self.line):
            self.report.add(line, sentence)

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag in _NOT_TEXT:
            self.skip += 1
        if tag in _HTML_BLOCKS:
            self.flush()
        if not self.parts:
            self.line = self.getpos()[0] + self.lines_before

    def handle_endtag(self, tag):
        if tag in _NOT_TEXT:
            self.skip = max(0, self.skip - 1)
        if tag in _HTML_BLOCKS or tag == "main":
            self.flush()
        if tag == "main":
            self.depth = max(0, self.depth - 1)

    def handle_data(self, data):
        if self.depth and not self.skip:
            if not self.parts:
                self.line = self.getpos()[0] + self.lines_before
            self.parts.append(data)
