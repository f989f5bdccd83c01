"""Results pages in Chromium at 320 px: tables that keep their figures whole, and interactive
charts that keep the reader's focus, speak Dutch and hold no controls inside an image."""

import re

import pytest
from playwright.sync_api import sync_playwright

from panelsite.a11y import check as a11y

PHONE = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=a11y.CHROMIUM, args=a11y.CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def results_urls(demo_pages, demo_server) -> list[str]:
    urls = [a11y.page_url(demo_server, p) for p in demo_pages if p.type == "results"]
    assert urls, "no results pages in the demo"
    return urls


def _phone_page(browser, url):
    context = browser.new_context(viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    return context, page


# Per cell of a results table (questions, trends): how many lines its text takes and how many words it has
# (split at spaces and at hyphens, where a line may break: "95%-interval"). More lines than words
# means a word or number was split ("13/3", "Aa/nt/al"); a .num cell must take one line.
_SPLIT_CELLS = """() => {
  const found = [];
  const range = document.createRange();
  const tables = 'section[aria-labelledby="vragen"] table, section[aria-labelledby="ontwikkeling"] table';
  for (const cell of document.querySelectorAll(tables.split(', ').map((t) => `${t} th, ${t} td`).join(', '))) {
    const text = cell.innerText.trim();
    if (!text) continue;
    range.selectNodeContents(cell);
    const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0.5).map((r) => Math.round(r.bottom)));
    const words = text.split(/[\\s-]+/).filter(Boolean).length;
    const most = cell.matches('td.num') ? 1 : words;
    if (lines.size > most) found.push(`"${text}" on ${lines.size} lines`);
  }
  return found;
}"""


def test_table_cells_keep_words_and_figures_whole_at_320px(browser, results_urls):
    findings = []
    for url in results_urls:
        context, page = _phone_page(browser, url)
        try:
            split = page.evaluate(_SPLIT_CELLS)
            findings += [f"{url}: {s}" for s in split[:5]]
            width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if width[0] > width[1]:
                findings.append(f"{url}: page scrolls sideways ({width[0]}px in {width[1]}px)")
        finally:
            context.close()
    assert not findings, "\n".join(findings)


def test_every_results_table_scrolls_in_a_named_region_of_its_own(browser, results_urls):
    # A table that keeps its words whole may be wider than a phone; it then scrolls in its own
    # region, which must be a tab stop (to scroll by keyboard) with a name (to know what it is).
    findings = []
    for url in results_urls:
        context, page = _phone_page(browser, url)
        try:
            findings += [f"{url}: {f}" for f in page.evaluate("""() => {
              const found = [];
              for (const table of document.querySelectorAll(
                  'section[aria-labelledby="vragen"] table, section[aria-labelledby="ontwikkeling"] table')) {
                const region = table.closest('[role="region"]');
                const label = region && document.getElementById(region.getAttribute('aria-labelledby'));
                if (!region || region.tabIndex !== 0 || !label || !label.textContent.trim())
                  found.push('table not in a named, focusable region: ' + (table.caption || {}).textContent);
              }
              return found;
            }""")]
        finally:
            context.close()
    assert not findings, "\n".join(findings)


def _chart_page(browser, results_urls):
    """A results page with interactive charts, at 320 px (any one: they all share the script)."""
    for url in results_urls:
        context, page = _phone_page(browser, url)
        if page.locator(".plotly-chart button").count() >= 2:
            return context, page
        context.close()
    pytest.fail("no results page with two or more interactive charts")


def test_each_chart_button_has_its_own_name(browser, results_urls):
    context, page = _chart_page(browser, results_urls)
    try:
        names = page.locator(".plotly-chart button").evaluate_all("(bs) => bs.map((b) => b.textContent.trim())")
        assert all(n.startswith("Toon interactieve grafiek") for n in names)  # the visible text comes first (2.5.3)
        assert len(set(names)) == len(names), names
    finally:
        context.close()


def test_opened_chart_takes_focus_speaks_dutch_and_holds_no_controls(browser, results_urls):
    context, page = _chart_page(browser, results_urls)
    try:
        button = page.locator(".plotly-chart button").first
        button.focus()
        page.keyboard.press("Enter")
        chart = page.locator(".plotly-chart [role='img']").first
        chart.locator(".main-svg").first.wait_for()
        focused = page.evaluate("""() => {
          const el = document.activeElement;
          return {inChart: !!el.closest('.plotly-chart'), role: el.getAttribute('role'),
                  name: el.getAttribute('aria-label') || ''};
        }""")
        assert focused["inChart"], "focus left the chart (to <body>) when the button was replaced"
        assert focused["role"] == "img" and focused["name"].startswith("Interactieve grafiek: ")

        # Nothing operable inside an image: a screen reader would not announce it.
        controls = page.evaluate("""() => [...document.querySelectorAll('[role="img"] *')]
          .filter((el) => el.tabIndex >= 0 || el.matches('a[href], button, input, select, textarea'))
          .map((el) => el.outerHTML.slice(0, 80))""")
        assert not controls, controls

        labels = chart.locator(".textpoint text").all_text_contents()
        assert labels and all(re.fullmatch(r"\d+%|\d+,\d", t) for t in labels), labels
        bar = chart.locator("g.point path").first.bounding_box()
        page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + bar["height"] / 2)
        hover = chart.locator(".hovertext").first
        hover.wait_for()
        assert re.search(r": \d+,\d%?$", hover.text_content().strip()), hover.text_content()  # 46,6%, not 46.6
    finally:
        context.close()
