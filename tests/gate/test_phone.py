"""Every page of every demo site at 320, 375 and 1280 px (phone_checks.py visits them once):
no sideways scrolling, charts whose values stay on one line and never overlap or stick out,
wide tables in a named scroll region with a cue, the logo in its own proportions, a menu a
keyboard reaches (a Menu button on a phone), a header of at most 200 px at 375 px, and results
pages of at most 5,000 px at 375 px. Screenshots go to reports/screenshots/ for review.

The factsheet e-mails are mails, not pages (no header, no menu): pa11y and the Nu checker
check them, this module does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from . import phone_checks as checks
from .browser_checks import launch
from .test_browser import url_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pages(demo_pages):
    chosen = [p for p in demo_pages if p.type != "factsheet-email"]
    assert len({p.slug for p in chosen}) == 3 and len(chosen) > 40, "expected every page of the three demo sites"
    return chosen


@pytest.fixture(scope="module")
def visits(pages, demo_server) -> list[checks.Visit]:
    shots = ROOT / "reports" / "screenshots"
    visits = checks.visit_all([(url_of(demo_server, p), p.rel) for p in pages], shots)
    print(f"{len(visits)} visits ({len(pages)} pages × {len(checks.WIDTHS)} widths); screenshots in {shots}")
    return visits


def _failures(visits, attribute) -> list[str]:
    return [f"{v.page} at {v.width}px: {f}" for v in visits for f in getattr(v, attribute)]


def test_every_page_is_visited_at_every_width_with_a_screenshot(visits, pages):
    assert len(visits) == len(pages) * len(checks.WIDTHS)
    for v in visits:
        if v.width in checks.SCREENSHOT_WIDTHS:
            assert v.screenshot.is_file() and v.screenshot.stat().st_size > 1000, v.screenshot


def test_no_page_scrolls_sideways(visits):
    wide = [f"{v.page} at {v.width}px: {v.scroll_width}px wide" for v in visits if v.scroll_width > v.client_width + 1]
    assert not wide, "\n".join(wide)


def test_chart_values_stay_on_one_line_inside_or_beside_their_bar_without_overlap(visits):
    found = _failures(visits, "charts")
    assert not found, "\n".join(found[:40])


def test_wide_tables_scroll_in_a_named_region_with_a_cue_and_no_card_stands_alone(visits):
    # (also: no markup shown as text, and no card alone on the last row of a grid of cards)
    found = _failures(visits, "tables")
    assert not found, "\n".join(found[:40])


def test_the_menu_is_reached_by_keyboard(visits):
    found = _failures(visits, "menu")
    assert not found, "\n".join(found[:40])


def test_the_header_is_at_most_200px_tall_on_a_phone(visits):
    tall = [f"{v.page}: {v.header}px" for v in visits if v.width == checks.PHONE and v.header > checks.HEADER_MOST]
    assert not tall, "\n".join(tall)


def test_results_pages_are_at_most_5000px_tall_on_a_phone(visits):
    results = [v for v in visits if v.results and v.width == checks.PHONE]
    assert len(results) >= 7, "expected the demo's results pages"
    tall = [f"{v.page}: {v.height}px" for v in results if v.height > checks.RESULTS_PAGE_MOST]
    assert not tall, "\n".join(tall)


def test_the_logo_keeps_the_proportions_of_its_file(visits, built_demo):
    from panelsite.config.municipality import load_municipalities

    files = {slug: m.config_dir / m.header_logo.file for slug, m in load_municipalities(ROOT).items()}
    wrong = []
    for v in visits:
        assert v.logo and v.logo["complete"], f"{v.page}: no logo drawn"
        want = checks.logo_ratio(files[v.page.split("/", 1)[0]])
        drawn = v.logo["width"] / v.logo["height"]
        if abs(drawn / want - 1) > 0.02:
            wrong.append(f"{v.page} at {v.width}px: drawn {drawn:.3f}, file {want:.3f}")
    assert not wrong, "\n".join(wrong)


def test_the_menu_opens_without_javascript(demo_server, pages):
    page = next(p for p in pages if p.type == "home")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport={"width": 375, "height": 700}, java_script_enabled=False)
            tab = context.new_page()
            tab.goto(url_of(demo_server, page))
            links = tab.locator("nav.main-nav a")
            assert not links.first.is_visible()  # closed at first: the header stays short
            tab.locator("nav.main-nav summary").click()
            assert links.first.is_visible() and links.count() >= 5
            box = links.last.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 375
            desktop = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
            wide = desktop.new_page()
            wide.goto(url_of(demo_server, page))
            assert wide.locator("nav.main-nav a").first.is_visible()  # always shown on a wide screen
            assert not wide.locator("nav.main-nav summary").is_visible()
        finally:
            browser.close()
