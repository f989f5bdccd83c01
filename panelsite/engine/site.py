"""Everything one municipality's site consists of.

A :class:`Site` is a plan: a list of :class:`Output` objects, each with the
file it becomes, a key (hash of every input it depends on) and a function that
renders it. The content pages and the page families (panelsite.engine.family)
call :meth:`Site.add_page` / :meth:`Site.add_file`; the pipeline then renders
only outputs whose key changed since the previous build. A site is planned from
its :class:`~panelsite.engine.family.SiteInputs` (``site.inputs``); what the
families prepare for each other's pages is ``site.prepared``.

Links to files under ``assets/`` carry ``?v=`` and the start of the hash of that
file's bytes (:meth:`Site.asset_version`), so a web server may cache /assets/
for days; a page's key covers those versions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import jinja2

from panelsite.engine import chrome, failures, render
from panelsite.engine.family import Prepared, SiteInputs
from panelsite.engine.hashing import code_digest, digest, tree_digest
from panelsite.errors import BuildError, PanelsiteError, Problem, relpath


@dataclass
class Output:
    path: str  # file inside the site folder
    planned_key: str  # hash of the inputs known when the output was added
    render: Callable[[], bytes]
    page_path: str | None = None  # site path when this is a page (for the sitemap)
    source: str | None = None  # the user's file that produced it, for error messages
    source_page: object = None  # the content Page, to find a link's line
    shared: bool = False  # the same bytes in many sites: stored once and hard-linked (writer.py)
    late_key: Callable[[], str] | None = None  # inputs only known once the whole site is planned
    title: str | None = None  # a page's title (the search page lists every page)
    template: str | None = None  # a page's template, for messages

    @property
    def key(self) -> str:
        """Hash of everything the output depends on: unchanged means it can be reused."""
        return digest(self.planned_key, self.late_key()) if self.late_key else self.planned_key


@dataclass
class NavItem:
    path: str
    title: str
    order: int


@dataclass
class Site:
    root: Path
    inputs: SiteInputs
    base_url: str
    collector_url: str | None
    today: object
    drafts: bool = False
    outputs: list[Output] = field(default_factory=list)
    navigation: list[NavItem] = field(default_factory=list)
    prepared: Prepared = field(default_factory=Prepared)  # what the families prepare for each other's pages
    pdf_cache: Path | None = None  # the build cache's pdf/ (engine/cache.py): PDFs by content hash

    def __post_init__(self):
        self.municipality = self.inputs.municipality
        self.env = render.environment(self.root, self.municipality, reload=False)  # one build
        self.slug = self.municipality.slug
        self.base_path = urlparse(self.base_url).path
        themes = render.theme_dirs(self.root, self.slug)
        config_bytes = (self.root / self.municipality.source).read_bytes()
        self.theme_key = digest(tree_digest(*themes), code_digest())
        self.base_key = digest(self.theme_key, config_bytes, self.base_url, self.collector_url, self.today)
        self.assets = chrome.SiteAssets.of(self.municipality)
        self._asset_versions: dict[str, str] = {}
        self._assets_key: tuple[int, str] = (-1, "")
        self._nav_key: tuple[tuple, str] | None = None

    # -- adding outputs -------------------------------------------------
    def add_file(self, path: str, render_fn: Callable[[], bytes], *key_parts, source: str | None = None,
                 shared: bool = False) -> None:
        # An asset's URL carries the hash of its bytes (asset_version), so the file must be
        # written again whenever its bytes change, also when no declared input did (plotly.js
        # after an upgrade of the package).
        late = None
        if path.startswith("assets/"):
            late = functools.partial(self.asset_version, path[len("assets/"):])
            render_fn = functools.cache(render_fn)  # rendered once for its hash, then written: the same bytes
        self.outputs.append(Output(path, digest(self.base_key, path, *key_parts), render_fn, source=source,
                                   shared=shared, late_key=late))

    def add_page(self, path: str, template: str, *key_parts, title: str, description: str | None = None,
                 context: dict | Callable[[], dict] | None = None, sitemap: bool = True,
                 source: str | None = None, source_page=None, noindex: bool = False) -> None:
        """A page at site path ``path`` ("a/b/" → a/b/index.html) rendered with ``template``.

        ``context`` may be a function so expensive data is only computed when
        the page really has to be rendered.
        """
        file = path + "index.html" if (path == "" or path.endswith("/")) else path

        def render_page() -> bytes:
            extra = context() if callable(context) else (context or {})
            return self.render_template(template, path, title=title, description=description,
                                        noindex=noindex, **extra)

        key = digest(self.base_key, self.nav_key(), self.assets.feed, self.drafts, file, template, *key_parts)
        # A page links assets by versioned URL, and plotly.js is added after the results pages.
        self.outputs.append(Output(file, key,
                                   render_page, page_path=path if sitemap else None,
                                   source=source, source_page=source_page, late_key=self.assets_key, title=title,
                                   template=template))

    def nav_key(self) -> str:
        """Hash of the menu, part of each page's key: hashed once while the menu stays the same."""
        items = tuple((n.path, n.title, n.order) for n in self.navigation)
        if self._nav_key is None or self._nav_key[0] != items:
            self._nav_key = (items, digest(*items))
        return self._nav_key[1]

    def asset_version(self, path: str) -> str | None:
        """The ``?v=`` of ``assets/<path>``: the start of the hash of its bytes (None: not an output).

        /assets/ is served with a long cache lifetime (docs/deploy.md), so a URL must change
        with the bytes: site.css differs per municipality and with its house style, a logo
        with the municipality's file, plotly.js with the package.
        """
        if path not in self._asset_versions:
            output = next((o for o in self.outputs if o.path == "assets/" + path), None)
            if output is None:
                return None
            self._asset_versions[path] = chrome.version_of(output.render())
        return self._asset_versions[path]

    def assets_key(self) -> str:
        """Hash of the version of every asset, part of each page's key."""
        count, key = self._assets_key
        if count != len(self.outputs):
            key = digest(*sorted((o.path, o.key) for o in self.outputs if o.path.startswith("assets/")))
            self._assets_key = (len(self.outputs), key)
        return key

    # -- rendering ---------------------------------------------------------
    def page_context(self, path: str, *, title: str, description: str | None, noindex: bool = False,
                     absolute: bool = False) -> dict:
        """The page chrome (panelsite.engine.chrome.page_context) of one of this site's pages."""
        return chrome.page_context(path, title=title, description=description, base_url=self.base_url,
                                   navigation=self.navigation, assets=self.assets, asset_version=self.asset_version,
                                   shared=self.prepared.template_context(), noindex=noindex, drafts=self.drafts,
                                   link_base=chrome.absolute_path(self.base_url) if absolute else None)

    def render_template(self, template: str, path: str, *, title: str, description: str | None,
                        noindex: bool = False, absolute: bool = False, **extra) -> bytes:
        context = self.page_context(path, title=title, description=description, noindex=noindex, absolute=absolute)
        if "page" in extra:
            context["page"].update(extra.pop("page"))
        context.update(extra)
        try:
            return self.env.get_template(template).render(**context).encode()
        except PanelsiteError:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever a template raises becomes a message (engine/failures.py)
            raise BuildError(self.failure(exc, path)) from None

    def failure(self, exc: BaseException, rendering: str) -> Problem:
        """The problem of an exception raised while rendering ``rendering``, one of this site's outputs."""
        return failures.problem_of(exc, self.root, f"{self.slug}/{rendering}", self.template_names(),
                                   f"themes/{self.slug}/templates or themes/default/templates")

    def template_names(self) -> list[str]:
        """The templates of this site's theme folders (for "did you mean")."""
        return [t for t in self.env.list_templates(extensions=["html", "txt", "xml"]) if ":" not in t]

    def template_problem(self, exc: jinja2.TemplateSyntaxError, template: str) -> Problem:
        """A syntax error in a theme template, at its file and line."""
        file = relpath(exc.filename, self.root) if exc.filename else (exc.name or template)
        return Problem(file, f"template error: {exc.message}", line=exc.lineno)

    # -- static assets -----------------------------------------------------
    def add_assets(self) -> None:
        """Theme files under assets/, one combined stylesheet, logo and favicon (chrome.theme_assets)."""
        for asset in chrome.theme_assets(self.root, self.municipality):
            self.add_file("assets/" + asset.path, asset.render, *asset.key, shared=asset.shared)
