"""The gate catches what it is for: each check fails on a copy of the fixture site broken on purpose.

``tests/gate/fixtures/site/proefstad`` is a small hand-written site that passes every check;
each test breaks one thing in a copy and asserts the check reports exactly that.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from panelsite.a11y import check as a11y

from . import pageweight
from .browser_checks import BROWSER_CHECKS, check_reflow_320, check_skip_link, launch

FIXTURE = Path(__file__).parent / "fixtures" / "site"
SLUG = "proefstad"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def site_with(tmp_path: Path, page: str = "", old: str = "", new: str = "") -> Path:
    """A copy of the fixture dist with ``old`` replaced by ``new`` in one page; returns the dist."""
    dist = tmp_path / "dist"
    shutil.copytree(FIXTURE, dist)
    if old:
        file = dist / SLUG / page / "index.html"
        html = file.read_text(encoding="utf-8")
        assert old in html, f"{old!r} not in {file}"
        file.write_text(html.replace(old, new, 1), encoding="utf-8")
    return dist


def browser_findings(browser, dist: Path, check, page: str = "") -> list[str]:
    with a11y.serve_sites(dist) as base_urls:
        return check(browser, base_urls[SLUG] + page)


def test_fixture_site_passes_every_check(browser, tmp_path):
    """The unbroken fixture passes (pa11y and vnu on it: test_a11y_report.test_main_check_a11y_writes_reports)."""
    dist = site_with(tmp_path)
    findings = []
    with a11y.serve_sites(dist) as base_urls:
        for page in a11y.site_pages(dist):
            findings += pageweight.check(pageweight.measure(dist, page))
            if page.type in ("home", "join", "results"):  # the demo sites cover the other types
                for name, check in BROWSER_CHECKS.items():
                    findings += [f"{page.rel} {name}: {f}" for f in check(browser, a11y.page_url(base_urls, page))]
    assert findings == []


def test_broken_skip_link(browser, tmp_path):
    dist = site_with(tmp_path, "", 'href="#inhoud"', 'href="#bestaat-niet"')
    findings = browser_findings(browser, dist, check_skip_link)
    assert findings == ['skip link a.skip-link[href="#bestaat-niet"] "Naar de inhoud" points to #bestaat-niet, '
                        'which does not exist']


def test_unlabelled_form_field(tmp_path):
    dist = site_with(tmp_path, "doe-mee", '<label for="email">E-mailadres</label>', "")
    with a11y.serve_sites(dist) as base_urls:
        issues = a11y.run_pa11y([base_urls[SLUG] + "doe-mee/"])[base_urls[SLUG] + "doe-mee/"]
    by_runner = {(i["runner"], i["code"]): i for i in issues}
    assert ("axe", "label") in by_runner, issues
    assert by_runner[("axe", "label")]["selector"] == "#email"
    assert a11y.criteria_for("axe", "label", a11y.axe_rule_tags()) == ["4.1.2"]
    assert any(runner == "htmlcs" and "4_1_2" in code for runner, code in by_runner), issues


def test_invalid_nesting(tmp_path):
    dist = site_with(tmp_path, "over-het-panel", "<h1>Over het panel</h1>",
                     '<h1>Over het panel</h1>\n<p><a href="../">Terug <a href="../doe-mee/">doe mee</a></a></p>')
    messages = a11y.run_vnu([dist / SLUG / "over-het-panel" / "index.html"])
    errors = [m["message"] for m in messages if a11y.vnu_is_error(m)]
    assert any("Start tag “a” seen but an element of the same type was already open" in e for e in errors), errors


def test_page_of_two_megabytes(tmp_path):
    dist = site_with(tmp_path, "over-het-panel", "<h1>Over het panel</h1>",
                     '<h1>Over het panel</h1>\n<p><img src="../assets/groot.png" alt="Een grote foto"></p>')
    (dist / SLUG / "assets" / "groot.png").write_bytes(os.urandom(2 * 1024 * 1024))
    page = next(p for p in a11y.site_pages(dist) if p.path == "over-het-panel/")
    findings = pageweight.check(pageweight.measure(dist, page))
    assert len(findings) == 1
    assert findings[0].startswith("proefstad/over-het-panel/: 2,")
    assert "over the 102,400-byte budget" in findings[0] and "/proefstad/assets/groot.png 2,097,152" in findings[0]


def test_page_that_scrolls_sideways_at_320px(browser, tmp_path):
    dist = site_with(tmp_path, "over-het-panel", "<h1>Over het panel</h1>",
                     '<h1>Over het panel</h1>\n<div class="breed" style="width: 40rem">Een vak van 640 pixels</div>')
    findings = browser_findings(browser, dist, check_reflow_320, "over-het-panel/")
    assert len(findings) == 1
    assert findings[0].startswith("page scrolls horizontally:")
    assert 'div.breed "Een vak van 640 pixels"' in findings[0]


def test_plotly_on_a_content_page(tmp_path):
    dist = site_with(tmp_path, "over-het-panel", "</title>",
                     '</title>\n  <script src="/proefstad/assets/plotly.min.js"></script>')
    page = next(p for p in a11y.site_pages(dist) if p.path == "over-het-panel/")
    assert pageweight.check(pageweight.measure(dist, page)) == [
        "proefstad/over-het-panel/: loads plotly.js but has no plotly chart container",
        "proefstad/over-het-panel/: loads plotly.js on a content page",
        "proefstad/over-het-panel/: render-blocking <script src='/proefstad/assets/plotly.min.js'> in <head> (add defer)",
    ]
