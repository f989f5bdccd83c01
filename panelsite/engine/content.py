"""Markdown pages with YAML front matter.

``content/_shared/`` holds pages every municipality gets; ``content/<slug>/``
adds pages or overrides a shared one with the same path. Survey folders and
the member register are data, not pages, and are skipped here.

The body is rendered through Jinja first (so ``{{ site.name }}`` works), then
from Markdown with tables, footnotes and heading ids (panelsite.engine.markdown_html).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from panelsite.config.schema import Bool, Choice, Date, Int, Mapping, Str, validate
from panelsite.config.yamlfile import parse
from panelsite.engine import failures, markdown_html
from panelsite.engine.hashing import content_hash
from panelsite.errors import ConfigError, Problem, not_utf8, relpath

DATA_FOLDERS = {"surveys", "panel"}
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)

PAGE_SCHEMA = Mapping(
    {
        "title": Str(required=True, min_length=1, max_length=200, help="Page title (the h1 and the <title>)."),
        "description": Str(max_length=500, help="Meta description; one or two sentences."),
        "nav_order": Int(min=0, max=1000,
                         help="Position in the main navigation; pages without it are not in the menu."),
        "nav_title": Str(max_length=60, help="Shorter title for the navigation."),
        "template": Str(default="page.html", pattern=r"[a-z0-9_/-]+\.html", expected="a template name like page.html",
                        help="Template that renders the page."),
        "toc": Bool(default=False, help="Show a table of contents of the h2/h3 headings."),
        "draft": Bool(default=False, help="Leave the page out unless the build runs with --drafts."),
        "form": Choice(["aanmelden", "afmelden", "contact"], help="Embed one of the site's forms below the text."),
        "updated": Date(help="Date of the last real change, shown under the page (YYYY-MM-DD)."),
    }
)


@dataclass
class Page:
    path: str  # site path: "" for home, "over-het-panel/" …
    source: Path
    display: str  # source path as the user sees it
    meta: dict
    body: str  # Markdown text after the front matter
    body_line: int  # line of the body's first line in the file
    shared: bool
    digest: str = ""
    html: str = ""
    toc: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.meta["title"]


def site_path(relative: Path) -> str:
    """content path → site path: index.md → "", a/b.md → "a/b/", a/index.md → "a/"."""
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "index":
        parts = parts[:-1]
    return "".join(p + "/" for p in parts)


def split_front_matter(raw: bytes, display: str, required: str = "title"):
    """``(front matter as Located, body, line of the body)`` of a Markdown file with front matter
    (pages and factsheets); raises ConfigError with file and line when it has none or it is not
    UTF-8 or YAML. ``required`` names the key the message says the block needs."""
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ConfigError(not_utf8(display, raw, exc)) from None
    match = FRONT_MATTER.match(text)
    if not match and re.match(r"---[ \t]*\n", text):
        raise ConfigError(Problem(display, "the front matter that starts here is not closed (expected a line '---' "
                                           "after the YAML block, before the text)", line=1))
    if not match:
        raise ConfigError(Problem(display, "missing front matter (expected the file to start with '---', "
                                           f"a YAML block with at least '{required}:', and '---')", line=1))
    return parse(match.group(1), display, offset=1), text[match.end():], text.count("\n", 0, match.end()) + 1


def read_page(source: Path, relative: Path, root: Path, shared: bool,
              display: str | None = None) -> tuple[Page | None, list[Problem]]:
    display = display or relpath(source, root)
    raw = source.read_bytes()
    try:
        located, body, body_line = split_front_matter(raw, display)
    except ConfigError as exc:
        return None, exc.problems
    meta, problems = validate(PAGE_SCHEMA, located)
    page = Page(site_path(relative), source, display, meta, body, body_line, shared,
                digest=content_hash(raw))
    return page, problems


def page_files(root: Path, slug: str):
    """``(source, path relative to its folder, shared)`` of every Markdown file that may be a
    page: the shared ones first, then the municipality's own (which override them)."""
    for folder, shared in ((root / "content" / "_shared", True), (root / "content" / slug, False)):
        if not folder.is_dir():
            continue
        for source in sorted(folder.rglob("*")):
            relative = source.relative_to(folder)
            if (relative.parts[0] in DATA_FOLDERS or source.suffix.lower() != ".md" or not source.is_file()
                    or any(part.startswith(".") for part in relative.parts)):  # an editor's or the OS's own files
                continue
            yield source, relative, shared


def load_pages(root: Path, slug: str, drafts: bool = False) -> list[Page]:
    """Shared pages overridden by the municipality's own, sorted by path."""
    problems: list[Problem] = []
    pages: dict[str, Page] = {}
    own: dict[tuple[bool, str], str] = {}  # (shared, path) → file, within one folder
    for source, relative, shared in page_files(root, slug):
        display = relpath(source, root)
        name_problem = _page_name_problem(relative)
        if name_problem:
            problems.append(Problem(display, name_problem))
            continue
        path = site_path(relative)
        if (shared, path) in own:  # nieuws.md and nieuws/index.md: one would silently win
            problems.append(Problem(display, f'a second page for the address {path or "/"} '
                                             f"(also made by {own[shared, path]}; expected one file per page)"))
            continue
        own[shared, path] = display
        page, found = read_page(source, relative, root, shared, display)
        problems.extend(found)
        if page is not None and not found and path.split("/")[0] in BUILD_FOLDERS:
            problems.append(Problem(display, f"the address {path} is inside {path.split('/')[0]}/, the folder of "
                                             f"{BUILD_FOLDERS[path.split('/')[0]]} the site makes itself (expected "
                                             "another file name for this page)",
                                    line=front_matter_line(page, "title") or 1))
            continue
        if page is not None and not found and (drafts or not page.meta.draft):
            pages[page.path] = page  # municipality pages come second and override
    if problems:
        raise ConfigError(problems)
    return [pages[p] for p in sorted(pages)]


PAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
# Top folders of a site that only the build writes, and what it keeps there.
BUILD_FOLDERS = {"assets": "the style sheets, scripts and images", "pagefind": "the search index"}


def _page_name_problem(relative: Path) -> str | None:
    """Why a page file's name cannot become a web address, if it cannot."""
    if relative.suffix != ".md":
        return f'the file name ends in "{relative.suffix}" (expected ".md" in lowercase)'
    for part in (*relative.parts[:-1], relative.stem):
        if not PAGE_NAME.fullmatch(part):
            hint = markdown_html.slugify(part)
            return (f'"{part}" cannot be part of a web address (expected lowercase letters, digits and hyphens, '
                    f'like "{hint}")')
    return None


ROOT_LINK = re.compile(r'(href|src)="/(?!/)([^"#?]*)([^"]*)"')


def render_markdown(page: Page, env: jinja2.Environment, context: dict) -> None:
    """Fill ``page.html`` and ``page.toc``; Jinja errors name the file and line."""
    try:
        # Most pages use no Jinja at all: a body without its delimiters renders as itself, and
        # compiling it (a third of a millisecond per page) is skipped.
        body = env.from_string(page.body).render(**context) if JINJA_SYNTAX.search(page.body) else page.body
    except jinja2.UndefinedError as exc:
        raise ConfigError(Problem(page.display, _undefined_message(exc.message or "", context),
                                  line=_error_line(exc, page))) from None
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - an expression that fails as it runs (1 / 0, a filter on text)
        raise ConfigError(failures.text_template_problem(exc, page.display, page.body, page.body_line)) from None
    converted = markdown_html.convert(body)
    page.toc = converted.toc
    url = context["url"]
    # Authors link site-root-relative ("/over-het-panel/"); the site must work
    # under any sub-path, so those become page-relative links.
    page.html = ROOT_LINK.sub(lambda m: f'{m.group(1)}="{url(m.group(2))}{m.group(3)}"', converted.html)


JINJA_SYNTAX = re.compile(r"\{[{%#]")  # Jinja's default delimiters: {{ … }}, {% … %}, {# … #}


def _undefined_message(message: str, context: dict) -> str:
    """Jinja's "'X object' has no attribute 'y'" in the author's terms, with a hint."""
    from panelsite.errors import did_you_mean

    match = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    if not match:
        return f"unknown variable: {message}"
    name = match.group(1)
    known: set[str] = set()
    stack: list = [context]
    while stack:
        value = stack.pop()
        # A mapping's keys, or a dataclass's fields (the municipality: site.name)
        if isinstance(value, dict):
            fields = value
        else:
            fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        known.update(k for k in fields if isinstance(k, str))
        stack.extend(v for v in fields.values() if isinstance(v, dict) or _is_dataclass(v))
    return f'unknown variable "{name}"{did_you_mean(name, known)}'


def _is_dataclass(value) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _error_line(exc: Exception, page: Page) -> int:
    """The Markdown line of a Jinja runtime error, from the traceback of the template code."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return page.body_line + (line or 1) - 1


def front_matter_line(page: Page, key: str) -> int | None:
    """The line of a top-level key in the page's front matter."""
    for number, line in enumerate(page.source.read_text(encoding="utf-8-sig").splitlines()[1:page.body_line], 2):
        if line.startswith(f"{key}:"):
            return number
    return None


def line_of(page: Page, needle: str) -> int | None:
    """The source line that contains ``needle`` (for link errors)."""
    for offset, line in enumerate(page.body.splitlines()):
        if needle in line:
            return page.body_line + offset
    return None
