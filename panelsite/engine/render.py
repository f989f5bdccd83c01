"""The Jinja environment of one municipality's site.

Templates are looked up in ``themes/<slug>/templates`` first, then
``themes/default/templates`` (MkDocs' ordered theme folders); a municipality
template can still extend the default one as ``default:base.html``
(Datasette's PrefixLoader idea).
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.bccache
from markupsafe import Markup

from panelsite import i18n
from panelsite.config.schema import Record
from panelsite.errors import Problem, did_you_mean, relpath


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every municipality's environment in this process, and kept
    in the build cache (engine/cache.py) for the next build.

    Each site has its own environment (its own theme folders), but most
    templates are the same default files: compiling them once instead of once
    per municipality saves about a third of a second per site, and reading them
    from ``folder`` spares the next build (and every worker process) compiling them
    at all. Entries are keyed by template file and source checksum, so an edited
    template (live preview) is compiled again; ``folder`` is named after Jinja's
    version and panelsite's code (the environment's settings shape the compiled code).
    """

    def __init__(self):
        self.store: dict[str, bytes] = {}
        self.folder: Path | None = None  # set by use_folder(); None: this process only

    def use_folder(self, folder: Path | None) -> None:
        from panelsite.engine.hashing import code_digest, digest

        self.folder = folder / digest(jinja2.__version__, code_digest()) if folder is not None else None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is None and self.folder is not None:
            from panelsite.engine.cache import read_entry

            code = read_entry(self.folder / bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # a stale checksum or a damaged entry: compiled again

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store[bucket.key] = bucket.bytecode_to_string()
        if self.folder is not None:
            from panelsite.engine.cache import write_entry

            write_entry(self.folder / bucket.key, code)


BYTECODE = _SharedBytecode()


def theme_dirs(root: Path, slug: str) -> list[Path]:
    dirs = [root / "themes" / slug, root / "themes" / "default"]
    return [d for d in dirs if d.is_dir()]


def environment(root: Path, municipality: Record, reload: bool = True) -> jinja2.Environment:
    """The Jinja environment of a site's theme. ``reload=False`` for one build: the template
    files are not checked for changes each time a page asks for a template."""
    slug = municipality.slug
    search = [str(d / "templates") for d in theme_dirs(root, slug) if (d / "templates").is_dir()]
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(search),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(root / "themes" / "default" / "templates"))},
                           delimiter=":"),
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=BYTECODE,
        auto_reload=reload,
    )
    env.globals.update(site=municipality)
    env.filters.update(pct=i18n.percent, num=i18n.number, date_nl=i18n.date, date_range=i18n.date_range)
    return env


THEME_FOLDERS = ("templates", "static")
EXTRA_STATIC = ("css/extra.css",)  # added to the default's files rather than replacing one


def theme_warnings(root: Path, slug: str, used: set[str]) -> list[Problem]:
    """What in ``themes/<slug>/`` no site uses, as warnings with a "did you mean": a template or
    a style sheet that overrides nothing (``pagee.html`` beside ``page.html``), a folder the
    build does not read (``template/``). ``used``: the templates the pages name (``template:``).

    A template of the municipality's own that no page names and no template includes,
    extends or imports is one of those too.
    """
    own, default = root / "themes" / slug, root / "themes" / "default"
    if not own.is_dir():
        return []
    problems = []
    for entry in sorted(own.iterdir()):
        if entry.name.startswith(".") or entry.name in THEME_FOLDERS:
            continue
        problems.append(Problem(relpath(entry, root), f"not used: a theme has only {' and '.join(THEME_FOLDERS)}"
                                                      f"{did_you_mean(entry.name, THEME_FOLDERS)}", severity="warning"))
    problems += _unused_templates(root, own / "templates", default / "templates", used)
    problems += _unused_static(root, own / "static", default / "static")
    return problems


def _files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)}


def _unused_templates(root: Path, own: Path, default: Path, used: set[str]) -> list[Problem]:
    import jinja2.meta

    mine, theirs = _files(own), _files(default)
    referenced = set(used)
    for name, file in {**theirs, **mine}.items():
        try:
            tree = jinja2.Environment().parse(file.read_text(encoding="utf-8"))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError, OSError):
            continue  # the build reports it where it renders the template
        referenced.update(str(t).removeprefix("default:") for t in jinja2.meta.find_referenced_templates(tree) if t)
    problems = []
    for name, file in mine.items():
        if name in theirs or name in referenced:
            continue
        hint = did_you_mean(name, list(theirs))
        problems.append(Problem(relpath(file, root), f"not used: it replaces no template of themes/default{hint}, "
                                                     "and no page names it in template: nor any template includes it",
                                severity="warning"))
    return problems


def _unused_static(root: Path, own: Path, default: Path) -> list[Problem]:
    """A static file whose name is close to one it would replace, but is not it: css/thema.css."""
    theirs = [*_files(default), *EXTRA_STATIC]
    problems = []
    for name, file in _files(own).items():
        if name in theirs:
            continue
        hint = did_you_mean(name, theirs)
        if hint:  # other files (images the templates link) are the theme's own
            problems.append(Problem(relpath(file, root), f"replaces no file of themes/default{hint}: it is copied to "
                                                         f"assets/{name} as it is", severity="warning"))
    return problems


def unknown_themes(root: Path, slugs: set[str]) -> list[Problem]:
    """Folders in themes/ that are neither default nor a municipality: their files reach no site."""
    folder = root / "themes"
    if not folder.is_dir():
        return []
    folders = [entry for entry in sorted(folder.iterdir())
               if entry.is_dir() and not entry.name.startswith(".") and entry.name not in ("default", *slugs)]
    return [Problem(relpath(entry, root), f'no municipality "{entry.name}"{did_you_mean(entry.name, slugs)}, so no '
                                          "site uses this theme (expected themes/<slug> of a "
                                          "municipalities/<slug>.yaml)", severity="warning")
            for entry in folders]


_CONTENT_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)


class _ContentTemplates:
    """Markdown bodies as Jinja templates: no loader (no includes), strict variables, no
    autoescape (the output is Markdown, converted afterwards). Shared pages have the same
    body for every municipality, so each distinct body is compiled once per process."""

    def __init__(self):
        self.cache: dict[str, jinja2.Template] = {}

    def from_string(self, source: str) -> jinja2.Template:
        template = self.cache.get(source)
        if template is None:
            template = self.cache[source] = _CONTENT_ENV.from_string(source)
        return template


def content_environment(municipality: Record | None = None) -> _ContentTemplates:
    return _CONTENT_TEMPLATES


_CONTENT_TEMPLATES = _ContentTemplates()


def relative_url(from_path: str, to_path: str) -> str:
    """Relative link from the page at site path ``from_path`` ("a/b/") to ``to_path``.

    Relative links make one build work at any sub-path (a preview deploy, a
    local folder, the real domain).
    """
    anchor = ""
    if "#" in to_path:
        to_path, anchor = to_path.split("#", 1)
        anchor = "#" + anchor
    # "a/b/" (a page) and "a/b/file.json" both sit two folders deep.
    depth = from_path.count("/")
    prefix = "../" * depth
    result = prefix + to_path
    return (result or "./") + anchor


def url_functions(page_path: str, absolute_base: str | None = None):
    """``url(path)`` and ``asset(path)`` for one page; absolute for the 404 page."""
    if absolute_base is not None:
        from urllib.parse import urlparse

        base_path = urlparse(absolute_base).path

        def url(to: str) -> str:
            return base_path + to
    else:
        def url(to: str) -> str:
            return relative_url(page_path, to)

    def asset(to: str) -> str:
        return url("assets/" + to)

    return url, asset


def svg_inline(markup: str) -> Markup:
    return Markup(markup)
