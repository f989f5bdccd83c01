"""The search page, ``zoeken/``: a search box on Pagefind's index and, for a browser without
JavaScript (or while the index loads), a plain list of every page of the site."""

from __future__ import annotations

from panelsite.engine import navigation as menu
from panelsite.engine.family import SiteInputs
from panelsite.engine.hashing import digest
from panelsite.engine.site import NavItem, Site

PATH = menu.SEARCH.path
TITLE = menu.SEARCH.title


def load(options, inputs: SiteInputs) -> None:
    """Nothing to read: the page lists the site's own pages, the index is made from them."""


def navigation() -> list[NavItem]:
    return [menu.SEARCH]  # declared in engine/navigation.py, where the collector reads it too


def prepare(site: Site) -> None:
    """Nothing for other pages: the menu links the search page."""


def add_outputs(site: Site) -> None:
    def pages() -> list[dict]:
        # Rendered after the whole site is planned: every page is known by then.
        listed = [o for o in site.outputs if o.page_path is not None and o.page_path != PATH]
        return [{"path": o.page_path, "title": o.title or o.page_path} for o in sorted(listed, key=_order)]

    site.add_page(PATH, "search.html", title=TITLE, description=f"Zoek op de site van {site.municipality.panel_name}.",
                  context=lambda: {"pages": pages(), "base_path": site.base_path})
    page = site.outputs[-1]
    planned = page.late_key
    # Its key covers the list of pages, which is complete only once the site is planned.
    page.late_key = lambda: digest(planned(), *[(o.page_path, o.title) for o in site.outputs if o.page_path])


def _order(output) -> tuple:
    return (output.page_path != "", output.page_path)
