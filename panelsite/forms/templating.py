"""The Jinja environment for form pages: the site's own (panelsite.engine.render), plus
what the page chrome of base.html needs when the collector renders a page itself."""

from __future__ import annotations

from pathlib import Path

import jinja2

from panelsite.config.schema import Record


def environment(project_root: Path, municipality) -> jinja2.Environment:
    """The site's own environment, so collector pages use the same templates and theme overrides."""
    from panelsite.engine.render import environment as site_environment

    return site_environment(project_root, municipality)


def chrome(municipality, base_url: str, path: str) -> dict:
    """Context for a page the collector serves in the site's house style.

    Links and assets point at the published site (absolute URLs), since the page
    itself lives on the collector's host.
    """
    base = base_url if base_url.endswith("/") else base_url + "/"
    logo = Path(municipality.brand.logo.file).suffix
    favicon = Path(municipality.brand.favicon).suffix if municipality.brand.favicon else logo
    return {
        "url": lambda to: base + to,
        "asset": lambda to: base + "assets/" + to,
        "site_assets": Record(logo_suffix=logo, favicon_suffix=favicon, css_version="", feed=False),
        "navigation": [],
        # No section: none of the menu's items is the current page.
        "page": Record(title="", path=path, section=None, description="", canonical=None, noindex=True, updated=None),
    }
