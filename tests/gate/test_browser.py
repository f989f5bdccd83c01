"""Keyboard, reflow, text size, reduced motion and no-JavaScript checks in Chromium, on one
page of each page type of each demo site (see browser_checks.py for what each check does)."""

import warnings

import pytest
from playwright.sync_api import sync_playwright

from panelsite.a11y import check as a11y

from .browser_checks import BROWSER_CHECKS, launch

PAGE_TYPES = ["home", "content", "privacy", "accessibility", "contact", "404", "results-index", "results",
              "factsheet", "follow-up", "join", "composition", "questionnaire", "paper-form", "unsubscribe", "thanks"]


def representatives(pages: list[a11y.Page]) -> list[a11y.Page]:
    """One page per (site, page type); a results page with a plotly chart when there is one."""
    chosen: dict[tuple[str, str], a11y.Page] = {}
    for page in sorted(pages, key=lambda p: ("plotly" not in p.file.read_text(encoding="utf-8"), p.path)):
        if page.type in PAGE_TYPES:
            chosen.setdefault((page.slug, page.type), page)
    for slug in sorted({p.slug for p in pages}):
        missing = [t for t in PAGE_TYPES if (slug, t) not in chosen]
        if missing:
            warnings.warn(f"{slug}: no page of type {', '.join(missing)} to check in the browser")
    return sorted(chosen.values(), key=lambda p: (p.slug, PAGE_TYPES.index(p.type)))


def url_of(base_urls: dict[str, str], page: a11y.Page) -> str:
    if page.type == "404":  # the 404 page as a reader meets it: at a missing path, two levels deep
        return base_urls[page.slug] + "bestaat-niet/meer/"
    return a11y.page_url(base_urls, page)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def pages_to_check(demo_pages):
    chosen = representatives(demo_pages)
    assert chosen, "no pages found to check in the browser"
    return chosen


@pytest.mark.parametrize("check", list(BROWSER_CHECKS))
def test_browser(check, browser, demo_server, pages_to_check):
    findings = []
    for page in pages_to_check:
        for finding in BROWSER_CHECKS[check](browser, url_of(demo_server, page)):
            findings.append(f"{page.rel} ({page.type}): {finding}")
    print(f"{check}: {len(pages_to_check)} pages checked")
    assert not findings, f"{check}: {len(findings)} findings\n" + "\n".join(findings)
