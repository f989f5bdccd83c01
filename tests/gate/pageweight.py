"""Page weight: the bytes a browser fetches for one page, as a server would send them.

A page's weight is its HTML plus every stylesheet, script, font, image and favicon it
references (fonts and images found inside CSS too), each counted once, gzipped (level 6)
when it is text and as is when it is already compressed (PNG, WOFF2, ...). URLs are
resolved inside the site's folder ``dist/<slug>/``, published under its base path.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from panelsite.a11y.check import Page, site_base_path

BUDGET = 100 * 1024  # gzipped bytes for every page without an interactive chart
EMAIL_CLIP = 102 * 1024  # Gmail clips an e-mail whose HTML is larger (raw bytes)
COMPRESSED = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".woff", ".woff2", ".ico", ".pdf", ".gz"}
# Page types that never load plotly.js, chart or no chart.
NO_PLOTLY_TYPES = {"home", "content", "privacy", "accessibility", "contact", "404", "join", "factsheet-email",
                   "questionnaire", "paper-form", "unsubscribe", "thanks", "a11y-report"}
_PLOTLY = re.compile(r"plotly[\w.-]*\.js", re.I)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_FONT_FACE = re.compile(r"@font-face\s*{[^}]*}", re.I | re.S)


@dataclass
class Script:
    src: str
    in_head: bool
    deferred: bool  # defer, async or type=module: not render-blocking


@dataclass
class PageWeight:
    page: Page
    html: int
    resources: dict[str, int] = field(default_factory=dict)  # URL path → bytes over the wire
    external: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)
    loads_plotly: bool = False  # by <script src>, or on demand by a loader script or inline code
    has_plotly_chart: bool = False

    @property
    def total(self) -> int:
        return self.html + sum(self.resources.values())

    @property
    def total_without_plotly(self) -> int:
        return self.html + sum(n for url, n in self.resources.items() if not _PLOTLY.search(url))


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.scripts: list[Script] = []
        self.inline_js: list[str] = []
        self.has_icon = False
        self.plotly_container = False
        self.lazy_plotly = False
        self._in_head = True
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "body":
            self._in_head = False
        classes = a.get("class", "").split()
        if tag != "script" and (any(k.startswith("data-plotly") for k in a) or any("plotly" in c for c in classes)):
            self.plotly_container = True
        if tag == "script" and any(_PLOTLY.search(v) for k, v in a.items() if k != "src"):
            self.lazy_plotly = True  # a loader that fetches plotly.js on demand (data-plotly="…/plotly.min.js")
        rel = a.get("rel", "").lower().split()
        if tag == "link" and a.get("href") and ({"stylesheet", "icon", "apple-touch-icon", "manifest"} & set(rel)
                                                or ("preload" in rel and a.get("as") in ("font", "style", "script", "image"))):
            self.urls.append(a["href"])
            self.has_icon |= "icon" in rel
        elif tag == "script":
            if a.get("src"):
                self.urls.append(a["src"])
                self.scripts.append(Script(a["src"], self._in_head,
                                           "defer" in a or "async" in a or a.get("type") == "module"))
            else:
                self._in_script = True
        elif tag in ("img", "input") and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "img" and a.get("srcset"):
            self.urls.append(a["srcset"].split(",")[0].split()[0])
        elif tag == "video" and a.get("poster"):
            self.urls.append(a["poster"])
        elif tag == "image" and (a.get("href") or a.get("xlink:href")):
            self.urls.append(a.get("href") or a["xlink:href"])
        if "style" in a:
            self.urls.extend(m.group(2) for m in _CSS_URL.finditer(a["style"]) if m.group(2))

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_js.append(data)


@lru_cache(maxsize=None)
def _wire_bytes(file: Path) -> int:
    data = file.read_bytes()
    return len(data) if file.suffix.lower() in COMPRESSED else len(gzip.compress(data, 6, mtime=0))


def _resolve(site_dir: Path, base_path: str, base: str, url: str) -> tuple[str, Path | None]:
    """(absolute URL path, file in the site or None when external)."""
    absolute = urljoin(base, url.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "site":
        return absolute, None
    path = unquote(parts.path)
    if not path.startswith(base_path):
        return parts.path, site_dir / ".outside-the-site"
    rest = path[len(base_path):]
    return parts.path, site_dir / (rest + "index.html" if rest.endswith("/") or not rest else rest)


def _css_refs(css: str) -> list[str]:
    """URLs a stylesheet makes the browser fetch: imports, images, the first source of each font."""
    refs = []
    for face in _FONT_FACE.findall(css):
        first = _CSS_URL.search(face)
        if first:
            refs.append(first.group(2) or first.group(4))
    refs += [m.group(2) or m.group(4) for m in _CSS_URL.finditer(_FONT_FACE.sub("", css))]
    return [r for r in refs if r and not r.startswith(("data:", "#"))]


def measure(dist: Path, page: Page) -> PageWeight:
    """The weight of one page (see the module docstring)."""
    html_bytes = page.file.read_bytes()
    parser = _Refs()
    parser.feed(html_bytes.decode("utf-8", errors="replace"))
    weight = PageWeight(page, html=len(gzip.compress(html_bytes, 6, mtime=0)), scripts=parser.scripts)
    site_dir = dist / page.slug
    base_path = site_base_path(site_dir)
    base = f"http://site{base_path}{page.path}"
    urls = list(parser.urls)
    if not parser.has_icon:
        urls.append("/favicon.ico")
    queue = [(base, u) for u in urls if u and not u.startswith(("data:", "#", "mailto:"))]
    while queue:
        ref_base, url = queue.pop(0)
        path, file = _resolve(site_dir, base_path, ref_base, url)
        if path in weight.resources or path in weight.external or path in weight.missing:
            continue
        if file is None:
            weight.external.append(path)
        elif not file.is_file():
            if not path.endswith("/favicon.ico"):  # the implicit favicon may be absent
                weight.missing.append(path)
        else:
            weight.resources[path] = _wire_bytes(file)
            if file.suffix.lower() == ".css":
                css = file.read_text(encoding="utf-8", errors="replace")
                queue.extend((f"http://site{path}", ref) for ref in _css_refs(css))
    inline = "\n".join(parser.inline_js)
    weight.loads_plotly = (any(_PLOTLY.search(s.src) for s in parser.scripts) or parser.lazy_plotly
                           or bool(_PLOTLY.search(inline)))
    weight.has_plotly_chart = parser.plotly_container
    return weight


def check(weight: PageWeight) -> list[str]:
    """Budget and plotly findings for one page (empty when it is fine)."""
    findings = []
    page = weight.page
    if weight.has_plotly_chart and weight.loads_plotly:
        pass  # interactive chart pages: plotly.js is allowed, the budget is not applied
    elif weight.total > BUDGET:
        biggest = sorted(weight.resources.items(), key=lambda kv: -kv[1])[:3]
        findings.append(
            f"{page.rel}: {weight.total:,} bytes gzipped, over the {BUDGET:,}-byte budget "
            f"(HTML {weight.html:,}; largest: {', '.join(f'{u} {n:,}' for u, n in biggest) or 'none'})"
        )
    if weight.loads_plotly and not weight.has_plotly_chart:
        findings.append(f"{page.rel}: loads plotly.js but has no plotly chart container")
    if weight.loads_plotly and page.type in NO_PLOTLY_TYPES:
        findings.append(f"{page.rel}: loads plotly.js on a {page.type} page")
    for script in weight.scripts:
        if script.in_head and not script.deferred:
            findings.append(f"{page.rel}: render-blocking <script src={script.src!r}> in <head> (add defer)")
        elif _PLOTLY.search(script.src) and not script.deferred:
            findings.append(f"{page.rel}: plotly.js loaded without defer ({script.src})")
    for url in weight.missing:
        findings.append(f"{page.rel}: references {url}, which is not in the build")
    for url in weight.external:
        findings.append(f"{page.rel}: loads {url} from another site (privacy: the site must be self-contained)")
    if page.type == "factsheet-email" and page.file.stat().st_size > EMAIL_CLIP:
        findings.append(f"{page.rel}: e-mail HTML is {page.file.stat().st_size:,} bytes; Gmail clips over {EMAIL_CLIP:,}")
    return findings
