"""Keyboard, reflow, text-size, motion and no-JavaScript checks in a real Chromium.

Each ``check_*`` function takes a Playwright ``Browser`` and a page URL and returns a list
of findings (strings; empty when the page passes), so the same function runs on the demo
sites and on the deliberately broken ones.

Choices, documented in docs/testing.md:

* Focus indicator: computed styles of each element focused by Tab (so ``:focus-visible``
  applies) are compared with its unfocused styles; a visible outline or any change of
  box-shadow, colours, borders, text decoration or position counts as an indicator.
* Text size (WCAG 1.4.4): the root font size is set to 200%, which is what a reader's
  "very large" default font size does; text sized in ``px`` does not grow and is flagged
  by the clip/overlap checks only if it breaks the layout. Checked at 1280 px wide.
* Reflow (WCAG 1.4.10): a 320 × 256 CSS px viewport at 100%, every ``<details>`` opened
  (text in closed ones is skipped, so closed they would hide whatever is too wide).
* Reduced motion: durations up to 10 ms count as none (the common ``0.01ms`` reset).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

from panelsite.a11y.check import CHROMIUM, CHROMIUM_ARGS

MAX_FINDINGS = 15  # per check and page; the rest is summarised

# A short description of an element for findings: tag#id.class "text".
_DESCRIBE = """
window.__gateDescribe = (el) => {
  if (!el || el.nodeType !== 1) return String(el);
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  const cls = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean).slice(0, 3);
  if (cls.length) d += '.' + cls.join('.');
  const href = el.getAttribute('href');
  if (href) d += `[href="${href.slice(0, 60)}"]`;
  const text = (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  if (text) d += ` "${text}"`;
  return d;
};
"""


def launch(playwright):
    """Debian's Chromium, headless, as root without a sandbox (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# One tab per browser and set of context options, reused from page to page: a new context and
# tab cost Chromium a renderer process, more than most checks; each goto starts the page afresh.
_tabs: dict[tuple, object] = {}  # (browser, options) → page


@contextmanager
def _tab(browser, url, **context_options):
    key = (browser, repr(sorted(context_options.items())))
    page = _tabs.get(key)
    if page is None or page.is_closed():
        context = browser.new_context(**context_options)
        context.add_init_script(_DESCRIBE)
        page = _tabs[key] = context.new_page()
    page.goto(url, wait_until="load")
    try:
        yield page
    except BaseException:
        _tabs.pop(key, None)  # a check that failed half-way may leave the tab in any state
        page.context.close()
        raise


def _cap(findings: list[str]) -> list[str]:
    if len(findings) > MAX_FINDINGS:
        return findings[:MAX_FINDINGS] + [f"... and {len(findings) - MAX_FINDINGS} more"]
    return findings


# --------------------------------------------------------------------------- skip link


def check_skip_link(browser, url: str) -> list[str]:
    """The first Tab stop is a visible in-page link whose target exists and gets focus (or
    becomes the starting point of sequential navigation)."""
    with _tab(browser, url, reduced_motion="reduce") as page:
        page.keyboard.press("Tab")
        first = page.evaluate("""() => {
            const a = document.activeElement;
            if (!a || a === document.body) return null;
            const r = a.getBoundingClientRect();
            return {desc: __gateDescribe(a), href: a.getAttribute('href') || '',
                    visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0
                             && r.top < innerHeight && r.left < innerWidth};
        }""")
        if first is None:
            return ["Tab from the top of the page focuses nothing"]
        if not first["href"].startswith("#") or len(first["href"]) < 2:
            return [f"first Tab stop is not a skip link: {first['desc']}"]
        findings = []
        if not first["visible"]:
            findings.append(f"skip link is not visible when focused: {first['desc']}")
        target_id = first["href"][1:]
        target = page.evaluate("""(id) => {
            const t = document.getElementById(decodeURIComponent(id));
            if (!t) return null;
            const main = document.querySelector('main');
            return {desc: __gateDescribe(t).slice(0, 60), inMain: !!main && (main === t || main.contains(t) || t.contains(main))};
        }""", target_id)
        if target is None:
            return findings + [f"skip link {first['desc']} points to #{target_id}, which does not exist"]
        if not target["inMain"]:
            findings.append(f"skip link target {target['desc']} is not <main> nor inside it")
        page.keyboard.press("Enter")
        focused = page.evaluate("""(id) => {
            const t = document.getElementById(decodeURIComponent(id));
            return document.activeElement === t;
        }""", target_id)
        if not focused:
            page.keyboard.press("Tab")
            inside = page.evaluate("""(id) => document.getElementById(decodeURIComponent(id)).contains(document.activeElement)""",
                                   target_id)
            if not inside:
                findings.append(f"activating the skip link does not move focus to #{target_id} "
                                f"(give the target tabindex=\"-1\")")
        return findings


# --------------------------------------------------------------------------- keyboard


_COLLECT_FOCUSABLE = """() => {
  const sel = 'a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable="true"], [contenteditable=""]';
  const natural = 'a[href], area[href], button, input, select, textarea, summary';
  const props = ['outlineStyle', 'outlineWidth', 'outlineColor', 'outlineOffset', 'boxShadow', 'backgroundColor',
                 'color', 'borderTopColor', 'borderBottomColor', 'borderTopWidth', 'borderBottomWidth',
                 'textDecorationLine', 'textDecorationThickness', 'textDecorationColor', 'top', 'left', 'transform'];
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.matches(':disabled') || el.matches('input[type=hidden]') || el.closest('[inert]')) continue;
    if (!el.matches(natural) && el.tabIndex < 0) continue;  // tabindex=-1 targets such as <main>
    if (el.tabIndex < 0 && el.closest('[aria-hidden="true"]')) continue;  // hidden from everyone, e.g. a honeypot
    // a radio group is one Tab stop (arrow keys move inside it): expect only its first radio
    if (el.matches('input[type=radio][name]') && el.form
        && [...el.form.querySelectorAll('input[type=radio]')].find(r => r.name === el.name) !== el) continue;
    if (el.tagName === 'SUMMARY' && el.parentElement.querySelector(':scope > summary') !== el) continue;
    if (el.closest('svg') && !el.matches('a[href], [tabindex]')) continue;
    // rendered and visible; not inside a closed <details> (its content keeps layout boxes)
    if (!el.checkVisibility({visibilityProperty: true}) || el.closest('details:not([open]) > :not(summary)')) continue;
    const cs = getComputedStyle(el);
    el.setAttribute('data-gate-i', String(out.length));
    const style = {};
    for (const p of props) style[p] = cs[p];
    out.push({desc: __gateDescribe(el), tabindex: el.getAttribute('tabindex'), style});
  }
  return out;
}"""

_FOCUSED = """(props) => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  let marked = el;
  if (!el.hasAttribute('data-gate-i') && el.matches('input[type=radio][name]') && el.form)  // checked radio of a group
    marked = [...el.form.querySelectorAll('input[type=radio]')].find(r => r.name === el.name);
  if (!marked || !marked.hasAttribute('data-gate-i')) return {i: null, desc: __gateDescribe(el)};
  const cs = getComputedStyle(el);
  const style = {};
  for (const p of props) style[p] = cs[p];
  return {i: Number(marked.getAttribute('data-gate-i')), style};
}"""


def _has_indicator(before: dict, after: dict) -> bool:
    outline = after["outlineStyle"] != "none" and float(after["outlineWidth"].rstrip("px") or 0) >= 1 \
        and after["outlineColor"] not in ("transparent", "rgba(0, 0, 0, 0)")
    return outline or any(before[k] != after[k] for k in before if not k.startswith("outline"))


def check_keyboard(browser, url: str) -> list[str]:
    """Every visible, enabled interactive element is reached by Tab and shows a focus indicator."""
    with _tab(browser, url, reduced_motion="reduce") as page:
        elements = page.evaluate(_COLLECT_FOCUSABLE)
        props = list(elements[0]["style"]) if elements else []
        reached: set[int] = set()
        findings = []
        for _ in range(len(elements) + 25):
            page.keyboard.press("Tab")
            state = page.evaluate(_FOCUSED, props)
            if state is None or state["i"] is None:
                if reached and state is None:
                    break  # focus left the document: one full round done
                continue
            if state["i"] in reached:
                break
            reached.add(state["i"])  # for a radio group: its first radio stands for the group
            before = elements[state["i"]]["style"]
            if not _has_indicator(before, state["style"]):
                findings.append(f"no visible focus indicator on {elements[state['i']]['desc']}")
        for i, el in enumerate(elements):
            if i not in reached:
                why = " (tabindex=\"-1\")" if el["tabindex"] and el["tabindex"].strip().startswith("-") else ""
                findings.append(f"not reachable with Tab{why}: {el['desc']}")
        return _cap(findings)


# --------------------------------------------------------------------------- layout

_LAYOUT = """() => {
  const findings = [];
  const root = document.scrollingElement || document.documentElement;
  const vw = root.clientWidth;
  const isSvg = (el) => el instanceof SVGElement;
  const hiddenCache = new Map();
  // Visually hidden on purpose (sr-only, clip) or not rendered: excluded from clip/overlap checks.
  const visuallyHidden = (el) => {
    if (!el || el === document.body) return false;
    if (hiddenCache.has(el)) return hiddenCache.get(el);
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) { hiddenCache.set(el, true); return true; }
    const cs = getComputedStyle(el);
    let h = cs.clip !== 'auto' && cs.clip !== ''
      || cs.clipPath !== 'none' && cs.clipPath !== ''
      || (['hidden', 'clip'].includes(cs.overflowX) && (el.clientWidth <= 1 || el.clientHeight <= 1))
      || (cs.position === 'absolute' && (el.getBoundingClientRect().right <= 0 || el.getBoundingClientRect().bottom <= 0));
    if (!h) h = visuallyHidden(el.parentElement);
    hiddenCache.set(el, h);
    return h;
  };
  // 1. horizontal scrolling of the page
  if (root.scrollWidth > vw + 1) {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (isSvg(el) && el.tagName.toLowerCase() !== 'svg') continue;
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && !visuallyHidden(el)) {
        let p = el.parentElement, scroller = false;
        while (p && p !== document.body) {
          const o = getComputedStyle(p).overflowX;
          if (o !== 'visible') { scroller = true; break; }
          p = p.parentElement;
        }
        if (!scroller && !(el.parentElement && wide.some(w => w.el.contains(el)))) wide.push({el, right: Math.round(r.right)});
      }
    }
    findings.push(`page scrolls horizontally: ${root.scrollWidth}px content in a ${vw}px viewport; too wide: `
      + (wide.slice(0, 5).map(w => `${__gateDescribe(w.el)} (right edge ${w.right}px)`).join('; ') || 'unknown'));
  }
  // 2. text clipped by overflow hidden/clip
  for (const el of document.body.querySelectorAll('*')) {
    if (isSvg(el) || visuallyHidden(el)) continue;
    const cs = getComputedStyle(el);
    const text = (el.innerText || '').trim();
    if (!text) continue;
    const clipX = ['hidden', 'clip'].includes(cs.overflowX) && el.scrollWidth > el.clientWidth + 1;
    const clipY = ['hidden', 'clip'].includes(cs.overflowY) && el.scrollHeight > el.clientHeight + 1;
    if (clipX || clipY)
      findings.push(`text clipped (${clipX ? 'width ' + el.scrollWidth + '>' + el.clientWidth : ''}${clipX && clipY ? ', ' : ''}${clipY ? 'height ' + el.scrollHeight + '>' + el.clientHeight : ''}): ${__gateDescribe(el)}`);
  }
  // 3. text overlapping other text
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT,
    {acceptNode: (n) => n.nodeValue.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT});
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || isSvg(el) || el.closest('script, style, noscript, template') || visuallyHidden(el)) continue;
    range.selectNodeContents(n);
    for (const r of range.getClientRects())
      if (r.width > 0.5 && r.height > 0.5) boxes.push({el, l: r.left, r: r.right, t: r.top, b: r.bottom, h: r.height});
  }
  boxes.sort((a, b) => a.t - b.t);
  const seen = new Set();
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].t < a.b; j++) {
      const b = boxes[j];
      if (a.el === b.el) continue;
      const w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      if (w > 4 && h > 0.4 * Math.min(a.h, b.h)) {
        const key = __gateDescribe(a.el) + ' / ' + __gateDescribe(b.el);
        if (!seen.has(key)) { seen.add(key); findings.push(`text overlaps: ${key}`); }
      }
    }
  }
  return findings;
}"""


def check_layout(browser, url: str, width: int, height: int, text_scale: int = 100) -> list[str]:
    """No horizontal scrolling, clipped text or overlapping text at ``width`` CSS px with the root
    font size at ``text_scale`` percent, with every ``<details>`` opened."""
    with _tab(browser, url, viewport={"width": width, "height": height}, reduced_motion="reduce") as page:
        # What a reader can open must fit too: a breakdown's bars only get a width once shown.
        page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        if text_scale != 100:
            page.evaluate("(s) => { document.documentElement.style.fontSize = s + '%'; }", text_scale)
            page.wait_for_timeout(50)
        return _cap(page.evaluate(_LAYOUT))


def check_reflow_320(browser, url: str) -> list[str]:
    return check_layout(browser, url, 320, 256)


def check_text_200(browser, url: str) -> list[str]:
    return check_layout(browser, url, 1280, 800, text_scale=200)


# --------------------------------------------------------------------------- motion

_MOTION = """() => {
  const ms = (s) => Math.max(0, ...s.split(',').map(x => parseFloat(x) * (x.trim().endsWith('ms') ? 1 : 1000)));
  const out = new Set();
  if (getComputedStyle(document.documentElement).scrollBehavior === 'smooth') out.add('html has scroll-behavior: smooth');
  for (const el of [document.documentElement, ...document.querySelectorAll('*')]) {
    for (const pseudo of [null, '::before', '::after']) {
      const cs = getComputedStyle(el, pseudo);
      const t = ms(cs.transitionDuration), a = ms(cs.animationDuration);
      if (t > 10 && cs.transitionProperty !== 'none')
        out.add(`transition ${cs.transitionProperty} ${cs.transitionDuration} on ${__gateDescribe(el).slice(0, 80)}${pseudo || ''}`);
      if (a > 10 && cs.animationName !== 'none')
        out.add(`animation ${cs.animationName} ${cs.animationDuration} on ${__gateDescribe(el).slice(0, 80)}${pseudo || ''}`);
    }
  }
  return [...out];
}"""


def check_reduced_motion(browser, url: str) -> list[str]:
    """Under ``prefers-reduced-motion: reduce`` nothing transitions, animates or scrolls smoothly."""
    with _tab(browser, url, reduced_motion="reduce") as page:
        return _cap([f"moves despite prefers-reduced-motion: {f}" for f in page.evaluate(_MOTION)])


# --------------------------------------------------------------------------- no JavaScript

_link_status: dict[str, int] = {}


def _status(url: str) -> int:
    if url not in _link_status:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                _link_status[url] = response.status
        except urllib.error.HTTPError as exc:
            _link_status[url] = exc.code
        except OSError:
            _link_status[url] = 0
    return _link_status[url]


def check_without_javascript(browser, url: str) -> list[str]:
    """With JavaScript off: the page has its main content, navigation links lead to pages, and
    every form posts to a real action."""
    with _tab(browser, url, java_script_enabled=False) as page:
        findings = []
        info = page.evaluate("""() => ({
            main: document.querySelectorAll('main').length,
            text: (document.querySelector('main') || {innerText: ''}).innerText.trim().length,
            links: [...document.querySelectorAll('nav a[href], header a[href]')].map(a => a.href),
            forms: [...document.forms].map(f => ({desc: __gateDescribe(f).slice(0, 60),
                                                  action: f.getAttribute('action') || '',
                                                  method: (f.getAttribute('method') || 'get').toLowerCase()})),
        })""")
        if info["main"] != 1:
            findings.append(f"{info['main']} <main> elements without JavaScript (expected 1)")
        elif info["text"] < 20:
            findings.append(f"<main> has only {info['text']} characters of text without JavaScript")
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        for link in dict.fromkeys(info["links"]):
            target = urljoin(url, link).split("#", 1)[0]
            if target.startswith(origin) and (status := _status(target)) != 200:
                findings.append(f"navigation link {link} answers {status or 'nothing'}")
        for form in info["forms"]:
            action = form["action"].strip()
            if not action or action.startswith(("#", "javascript:")):
                findings.append(f"form without a real action: {form['desc']} (action={action!r})")
            if form["method"] != "post":
                findings.append(f"form method is {form['method']!r}, not post: {form['desc']}")
        return findings


BROWSER_CHECKS = {
    "skip link": check_skip_link,
    "keyboard": check_keyboard,
    "reflow 320px": check_reflow_320,
    "text 200%": check_text_200,
    "reduced motion": check_reduced_motion,
    "without JavaScript": check_without_javascript,
}
