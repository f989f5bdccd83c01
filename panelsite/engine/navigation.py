"""The site's main menu, which the collector draws too without building the site.

The menu is the content pages with a ``nav_order`` in their front matter plus the sections
the page families add (results, "Wat doen we ermee?", search). Those sections are declared here,
not in the families, so that the collector can show the same menu on the pages it serves
while importing neither the build pipeline nor a page family (docs/ARCHITECTURE.md): the
families' ``navigation()`` returns them from here, and a test holds the collector's menu
equal to the build's.
"""

from __future__ import annotations

from pathlib import Path

from panelsite.engine import content
from panelsite.engine.site import NavItem

RESULTS = NavItem("resultaten/", "Resultaten", 20)
MEASURES = NavItem("wat-doen-we-ermee/", "Wat doen we ermee?", 30)
SEARCH = NavItem("zoeken/", "Zoeken", 90)
SECTIONS = (RESULTS, MEASURES, SEARCH)  # every menu item a page family adds


def page_items(pages) -> list[NavItem]:
    """The menu items of loaded content pages: those with a ``nav_order``."""
    return [NavItem(p.path, p.meta.nav_title or p.title, p.meta.nav_order)
            for p in pages if p.meta.nav_order is not None]


def site_menu(root: Path, slug: str) -> list[NavItem]:
    """The main menu in menu order, from the pages' front matter only.

    No Markdown is rendered and no survey is read. A page whose front matter is broken is
    left out instead of failing: the build reports it, and a server that draws the menu
    keeps serving.
    """
    pages: dict[str, content.Page] = {}
    for source, relative, shared in content.page_files(root, slug):
        try:
            page, problems = content.read_page(source, relative, root, shared)
        except OSError:  # gone or unreadable since it was listed
            continue
        if page is not None and not problems and not page.meta.draft:
            pages[page.path] = page  # the municipality's own pages come second and override
    items = page_items(pages[path] for path in sorted(pages)) + list(SECTIONS)
    return sorted(items, key=lambda item: item.order)
