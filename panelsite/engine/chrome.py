"""The page chrome: what base.html needs on every page, for the build and for the collector.

One function, :func:`page_context`, makes it. The build calls it for every page it
renders (:meth:`panelsite.engine.site.Site.page_context`); the collector, which serves a
few pages itself on another host (a form with its errors, the confirmation pages), calls
:func:`chrome`, which links to the published site with absolute URLs.

Both link the theme's files by the same versioned URLs (``assets/css/site.css?v=…``):
:func:`theme_assets` lists them, their bytes as the build writes them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from markupsafe import Markup

from panelsite.config import brand
from panelsite.config.schema import Record
from panelsite.engine import render
from panelsite.engine.hashing import content_hash

VERSION_LENGTH = 12  # hex digits of the hash in ?v=: 48 bits, no two versions of a file alike


@dataclass
class SiteAssets:
    """The site-wide files a page's head and header link (``site_assets`` in templates)."""

    logo_suffix: str  # assets/logo<suffix>: the header logo's own file type, lower case
    favicon_suffix: str
    logo_width: int = 48  # the header logo's size in CSS px, in the file's own proportions
    logo_height: int = 48
    feed: bool = False  # resultaten/feed.xml exists (set by the feed's page family)

    @classmethod
    def of(cls, municipality) -> SiteAssets:
        logo = municipality.header_logo
        return cls(logo_suffix=Path(logo.file).suffix.lower(),
                   favicon_suffix=Path(municipality.brand.favicon or municipality.brand.logo.file).suffix.lower(),
                   logo_width=logo.width, logo_height=logo.height)


@dataclass
class Asset:
    """One file under ``assets/`` made from the theme or the municipality's own files."""

    path: str  # below assets/
    render: Callable[[], bytes]
    key: tuple = ()  # what its bytes depend on beyond the theme and the municipality file
    shared: bool = False  # the same bytes in many sites: stored once (engine.writer)


def theme_assets(root: Path, municipality) -> list[Asset]:
    """Theme files under assets/, one combined stylesheet, logo and favicon."""
    m = municipality
    themes = list(reversed(render.theme_dirs(root, m.slug)))  # default first, then the override
    static: dict[str, Path] = {}
    for theme in themes:
        folder = theme / "static"
        if folder.is_dir():
            for file in sorted(p for p in folder.rglob("*") if p.is_file()):
                static[file.relative_to(folder).as_posix()] = file
    css_parts = [static.pop("css/theme.css")] if "css/theme.css" in static else []
    if "css/extra.css" in static:
        css_parts.append(static.pop("css/extra.css"))

    @functools.cache  # its ?v= and the file written come from one rendering
    def site_css() -> bytes:
        tokens = brand.tokens_css(m.brand, m.palette, dict(m.design_tokens))
        return ("/* Design tokens generated from the house style */\n" + tokens + "\n"
                + "\n".join(p.read_text(encoding="utf-8") for p in css_parts)).encode()

    assets = SiteAssets.of(m)
    logo = m.config_dir / m.header_logo.file
    favicon = m.config_dir / (m.brand.favicon or m.brand.logo.file)
    return [
        Asset("css/site.css", site_css),
        *(Asset(rel, file.read_bytes, shared=True) for rel, file in static.items()),  # the theme's key covers them
        Asset("logo" + assets.logo_suffix, logo.read_bytes, (logo.read_bytes(),), shared=True),
        Asset("favicon" + assets.favicon_suffix, favicon.read_bytes, (favicon.read_bytes(),), shared=True),
    ]


def version_of(data: bytes) -> str:
    """The ``?v=`` of a file: the start of the hash of its bytes."""
    return content_hash(data)[:VERSION_LENGTH]


def page_context(path: str, *, title: str, description: str | None, base_url: str, navigation: list,
                 assets: SiteAssets, asset_version: Callable[[str], str | None], shared: dict,
                 link_base: str | None = None, noindex: bool = False, drafts: bool = False,
                 in_section: bool = True) -> dict:
    """The context every template of a page gets: links, menu, the page's own facts, the families' data.

    ``path`` is the page's site path ("" for the home page). Links are relative to it, or
    ``link_base`` + path when given (the 404 page: the site's path; the collector: the
    site's whole URL). ``asset_version(path below assets/)`` gives a file's ``?v=``.
    ``in_section`` false: no menu item is marked as the current one (a page the collector
    serves beside the site). ``shared`` holds the page families' context keys
    (panelsite.engine.family.Prepared.template_context).
    """
    if link_base is None:
        def url(to: str) -> str:
            return render.relative_url(path, to)
    else:
        def url(to: str) -> str:
            return link_base + to

    def asset(to: str) -> str:
        version = asset_version(to)
        return url("assets/" + to) + (f"?v={version}" if version else "")

    section = (path.split("/", 1)[0] + "/" if path else "") if in_section else None
    # A preview build (--drafts) shows results still under embargo: no search engine may keep
    # them. Its canonical links stay: they name the preview, and a11y.check.site_base_path reads them.
    page = Record(path=path, title=title, description=description, section=section,
                  noindex=noindex or drafts, canonical=None if noindex else base_url + path,
                  form=None, updated=None)
    return dict(page=page, url=url, asset=asset, navigation=sorted(navigation, key=lambda n: n.order),
                site_assets=assets, body=Markup(""), toc=[], site_url=base_url, **shared)


def chrome(municipality, base_url: str, path: str) -> dict:
    """Context for a page the collector serves in the site's house style.

    Links and assets point at the published site (absolute URLs, with the same ``?v=`` as
    the site's own pages), since the page itself lives on the collector's host. The caller
    sets the menu (``navigation``), the title and its own keys.
    """
    from panelsite.engine.family import Prepared

    base = base_url if base_url.endswith("/") else base_url + "/"
    return page_context(path, title="", description="", base_url=base, navigation=[],
                        assets=SiteAssets.of(municipality), asset_version=_collector_versions(municipality),
                        shared=Prepared().template_context(), link_base=base, noindex=True, in_section=False)


@functools.lru_cache(maxsize=64)
def _collector_versions(municipality) -> Callable[[str], str | None]:
    """``asset_version`` for a municipality's pages in the collector: computed once per file.

    The collector loads its municipalities once, at start, as it does their menus.
    """
    files = {a.path: a for a in theme_assets(municipality.root, municipality)}

    @functools.cache
    def version(path: str) -> str | None:
        found = files.get(path)
        return version_of(found.render()) if found else None

    return version


def absolute_path(base_url: str) -> str:
    """The site's path on its host ("/" or "/lindenhaven/"): the link base of the 404 page."""
    return urlparse(base_url).path
