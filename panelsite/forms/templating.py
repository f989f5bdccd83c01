"""The Jinja environment for form pages: the site's own (panelsite.render), plus
what the page chrome of base.html needs when the collector renders a page itself."""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..schema import Record


def environment(project_root: Path, municipality) -> jinja2.Environment:
    try:
        from ..render import environment as site_environment
    except ImportError:  # the site renderer is optional for the collector
        return _minimal(project_root, municipality)
    return site_environment(project_root, municipality)


def _minimal(project_root: Path, municipality) -> jinja2.Environment:
    search = [project_root / "themes" / municipality.slug / "templates", project_root / "themes" / "default" / "templates"]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search if p.is_dir()]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(site=municipality, lang=municipality.get("language", "nl"), t=lambda key: key)
    return env


def chrome(municipality, base_url: str, path: str) -> dict:
    """Context for a page the collector serves in the site's house style.

    Links and assets point at the published site (absolute URLs), since the page
    itself lives on the collector's host.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    logo = Path(municipality.brand.logo.file).suffix if municipality.get("brand") else ".svg"
    favicon = Path(municipality.brand.favicon).suffix if municipality.get("brand") and municipality.brand.get("favicon") else logo
    return {
        "url": lambda to: base + to,
        "asset": lambda to: base + "assets/" + to,
        "site_assets": Record(logo_suffix=logo, favicon_suffix=favicon, css_version="", feed=False),
        "navigation": [],
        "page": Record(title="", path=path, section="", description="", canonical=None, noindex=True, updated=None),
    }
