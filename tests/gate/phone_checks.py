"""Every page of every demo site at 320, 375 and 1280 px in Chromium: what a resident on a phone
(and on a desktop) sees. One pass visits each page at each width, measures it and writes a
screenshot (at 375 and 1280 px) to ``reports/screenshots/<slug>/`` for people to review; the tests in test_phone.py
judge the measurements. The three widths are visited at once, each in a tab of its own (asyncio).
"""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from playwright.async_api import async_playwright

from panelsite.a11y.check import CHROMIUM, CHROMIUM_ARGS

WIDTHS = (320, 375, 1280)
PHONE = 375
HEADER_MOST = 200  # px at 375 wide
RESULTS_PAGE_MOST = 5000  # px at 375 wide, every <details> closed
SCREENSHOT_WIDTHS = (375, 1280)  # the widths people review; 320 is measured only

# Per chart: a value label on more than one line, text boxes of one chart that overlap, text cut
# off by its box, a value inside its bar that sticks out of it, and anything outside the page.
_CHARTS = """() => {
  const found = [];
  const vw = document.documentElement.clientWidth;
  const shown = (el) => el.checkVisibility() && !el.closest('details:not([open])');
  const charts = [...document.querySelectorAll('.barchart')].filter(shown);
  for (const [n, chart] of charts.entries()) {
    const name = `chart ${n + 1} (${(chart.getAttribute('aria-label') || '').slice(0, 50)})`;
    const texts = [...chart.querySelectorAll('.barchart__label, .barchart__text, .barchart__note')];
    const boxes = [];
    for (const el of texts) {
      const range = document.createRange();
      range.selectNodeContents(el);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0.5);
      if (!rects.length) continue;
      const lines = new Set(rects.map((r) => Math.round(r.top)));
      if (el.matches('.barchart__text') && lines.size > 1)
        found.push(`${name}: value "${el.textContent}" on ${lines.size} lines`);
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
        found.push(`${name}: "${el.textContent}" cut off`);
      for (const r of rects) {
        if (r.right > vw + 1 || r.left < -1) found.push(`${name}: "${el.textContent}" outside the page`);
        boxes.push({el, r});
      }
      const bar = el.closest('.barchart__bar');
      if (bar) {
        const b = bar.getBoundingClientRect();
        for (const r of rects)
          if (r.left < b.left - 1 || r.right > b.right + 1)
            found.push(`${name}: value "${el.textContent}" sticks out of its bar`);
      }
    }
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (boxes[i].el !== boxes[j].el && w > 1 && h > 1)
          found.push(`${name}: "${boxes[i].el.textContent}" overlaps "${boxes[j].el.textContent}"`);
      }
  }
  return found;
}"""

# Tables: a table wider than the page must scroll in a region of its own that a keyboard
# reaches, with a name and the visible scroll cue (theme.css).
_TABLES = """() => {
  const found = [];
  for (const table of document.querySelectorAll('main table')) {
    if (!table.checkVisibility() || table.closest('details:not([open])')) continue;
    const region = table.closest('[role="region"]');
    const caption = (table.caption || {}).textContent || table.rows[0]?.textContent || '';
    const label = region && (region.getAttribute('aria-label')
      || (document.getElementById(region.getAttribute('aria-labelledby')) || {}).textContent || '');
    if (!region || region.tabIndex !== 0 || !label.trim()) {
      found.push(`table not in a named region with tabindex=0: ${caption.trim().slice(0, 60)}`);
      continue;
    }
    const style = getComputedStyle(region);
    if (region.scrollWidth > region.clientWidth + 1
        && (!style.animationName.includes('ps-scroll-cue') || !style.boxShadow.includes('inset')))
      found.push(`table scrolls without a visible cue: ${caption.trim().slice(0, 60)}`);
  }
  return found;
}"""

_MEASURE = """() => {
  const root = document.documentElement;
  const logo = document.querySelector('.site-header__logo');
  const r = logo ? logo.getBoundingClientRect() : null;
  return {
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, height: root.scrollHeight,
    header: Math.round(document.querySelector('.site-header').getBoundingClientRect().height),
    logo: r && {width: r.width, height: r.height, src: logo.currentSrc, complete: logo.complete && logo.naturalWidth > 0},
    results: !!document.querySelector('section[aria-labelledby="vragen"]'),
    orphans: [...document.querySelectorAll('main .cards, main .cards-balanced')].flatMap((grid) => {
      const rows = {};
      for (const item of grid.children) {
        const top = Math.round(item.getBoundingClientRect().top);
        rows[top] = (rows[top] || 0) + 1;
      }
      const counts = Object.keys(rows).map(Number).sort((a, b) => a - b).map((t) => rows[t]);
      return counts.length > 1 && counts[0] > 1 && counts[counts.length - 1] === 1
        ? [`a card alone on the last row of ${grid.className} (${counts.join(' + ')})`] : [];
    }),
    markup: (document.querySelector('main') || document.body).innerText.match(/<[a-z]+[^<>]*class="[^"]*"/g) || [],
  };
}"""

_FOCUSED = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), text: (el.innerText || '').trim().slice(0, 40),
          nav: !!el.closest('nav.main-nav'), link: el.matches('nav.main-nav a'),
          visible: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight};
}"""


@dataclass
class Visit:
    page: str  # slug/path, as a11y.Page.rel
    width: int
    scroll_width: int = 0
    client_width: int = 0
    height: int = 0
    header: int = 0
    logo: dict | None = None
    results: bool = False
    charts: list[str] = field(default_factory=list)  # with every <details> open
    tables: list[str] = field(default_factory=list)
    menu: list[str] = field(default_factory=list)  # what is wrong with reaching the menu by keyboard
    screenshot: Path | None = None


def logo_ratio(file: Path) -> float:
    """Width / height of a logo file: its SVG size or viewBox, or its pixels."""
    if file.suffix.lower() == ".svg":
        root = ET.fromstring(file.read_bytes())
        width, height = (re.match(r"[\d.]+", root.get(k) or "") for k in ("width", "height"))
        if width and height:
            return float(width.group()) / float(height.group())
        box = [float(v) for v in re.findall(r"[-\d.]+", root.get("viewBox", ""))]
        return box[2] / box[3]
    with Image.open(file) as image:
        return image.width / image.height


async def _menu_by_keyboard(page, width: int) -> list[str]:
    """From the top of the page, Tab to the menu; on a phone open it with Enter. The first item
    of the menu must get the focus, visibly."""
    await page.keyboard.press("Tab")  # the skip link
    for _ in range(6):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(_FOCUSED)
        if focused["nav"]:
            break
    else:
        return ["the menu is not among the first Tab stops"]
    if width < 768:
        if focused["tag"] != "summary" or not focused["visible"]:
            return [f"on a phone the first stop in the menu is {focused['tag']} \"{focused['text']}\", not a visible "
                    "Menu button"]
        await page.keyboard.press("Enter")
        await page.keyboard.press("Tab")
        focused = await page.evaluate(_FOCUSED)
    if not (focused["link"] and focused["visible"]):
        return [f"after the menu button, Tab reaches {focused['tag']} \"{focused['text']}\", not a visible menu link"]
    return []


async def _visit(page, url: str, rel: str, width: int, shots: Path) -> Visit:
    await page.goto(url, wait_until="load")
    visit = Visit(rel, width)
    measured = await page.evaluate(_MEASURE)
    visit.scroll_width, visit.client_width = measured["scrollWidth"], measured["clientWidth"]
    visit.height, visit.header = measured["height"], measured["header"]
    visit.logo, visit.results = measured["logo"], measured["results"]
    visit.tables = [f"markup shown as text: {m[:60]}" for m in measured["markup"]] + measured["orphans"]
    if width in SCREENSHOT_WIDTHS:
        name = rel.strip("/").replace("/", "_").removesuffix(".html") or "index"
        visit.screenshot = shots / f"{name}-{width}.jpg"
        visit.screenshot.parent.mkdir(parents=True, exist_ok=True)
        # JPEG: encoded in half the time of a PNG, and as good for a person's review
        await page.screenshot(path=str(visit.screenshot), full_page=True, type="jpeg", quality=80)
    visit.menu = await _menu_by_keyboard(page, width)
    # what a reader can open must hold too: every disclosure of the page open
    await page.evaluate("() => document.querySelectorAll('main details').forEach((d) => { d.open = true; })")
    # A table that now overflows gets its scroll timeline (the cue, theme.css) with the next
    # animation frames, not at once: measured before them, its cue is not there yet.
    await page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    visit.charts = await page.evaluate(_CHARTS)
    visit.tables += await page.evaluate(_TABLES)
    opened = await page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if opened[0] > opened[1] + 1:
        visit.scroll_width, visit.client_width = opened
    return visit


async def _visit_width(browser, targets, width: int, shots: Path) -> list[Visit]:
    """Every page at one width, one after the other in one tab (the theme's files stay cached)."""
    context = await browser.new_context(viewport={"width": width, "height": 800}, reduced_motion="reduce")
    try:
        page = await context.new_page()
        return [await _visit(page, url, rel, width, shots / rel.split("/", 1)[0]) for url, rel in targets]
    finally:
        await context.close()


async def _visit_all(targets, shots: Path) -> list[Visit]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            per_width = await asyncio.gather(*(_visit_width(browser, targets, width, shots) for width in WIDTHS))
            return [visit for visits in per_width for visit in visits]
        finally:
            await browser.close()


def visit_all(targets: list[tuple[str, str]], shots: Path) -> list[Visit]:
    """``targets``: (URL, page name) of every page; every page at every width of WIDTHS."""
    return asyncio.run(_visit_all(targets, shots))
