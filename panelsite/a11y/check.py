"""The accessibility gate: check every page of a built site, report per WCAG criterion.

``python build.py check --a11y`` serves ``dist/`` on 127.0.0.1, runs pa11y-ci (axe-core
and HTML_CodeSniffer, standard WCAG2AA) and the Nu HTML Checker (vnu) over every
``*.html`` file of each municipality, and writes ``reports/a11y/<slug>.json`` and
``reports/a11y/<slug>.html``. The same functions run in ``tests/gate/``.

The tools come from ``package.json`` (``npm ci``) and the OS (``/usr/bin/chromium``,
``java``); ``scripts/install.sh`` installs them. A missing tool is a :class:`BuildError`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from panelsite.errors import BuildError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PANELSITE_CHROMIUM", "/usr/bin/chromium")
# Flags for a headless Chromium as root on a machine without outside network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
UNMAPPED = "overig"  # findings that belong to no single success criterion


# --------------------------------------------------------------------------- pages


def html_pages(site_dir: Path) -> list[Path]:
    """Every ``*.html`` file of one built site (factsheet e-mails included), sorted."""
    return sorted(p for p in site_dir.rglob("*.html") if p.is_file())


def page_path(site_dir: Path, file: Path) -> str:
    """The URL path of ``file`` relative to its site: ``""``, ``"over-het-panel/"``, ``"404.html"``."""
    rel = file.relative_to(site_dir).as_posix()
    if rel == "index.html":
        return ""
    if rel.endswith("/index.html"):
        return rel[: -len("index.html")]
    return rel


# Page types, first match wins, on the page's path inside its site.
PAGE_TYPES = [
    ("404", r"404\.html"),
    ("factsheet-email", r"(.*/)?factsheet-email\.html"),
    ("paper-form", r"(.*/)?papier/"),
    ("questionnaire", r"(.*/)?vragenlijst/[^/]+/"),
    ("unsubscribe", r"(.*/)?afmelden/"),
    ("thanks", r"(.*/)?bedankt/.+"),
    ("a11y-report", r"(.*/)?toegankelijkheid/rapport/"),
    ("factsheet", r"(.*/)?resultaten/[^/]+/factsheet/"),
    ("results-index", r"(.*/)?resultaten/"),
    ("results", r"(.*/)?resultaten/[^/]+/"),
    ("follow-up", r"(.*/)?wat-doen-we-ermee/"),
    ("join", r"(.*/)?doe-mee/"),
    ("composition", r"(.*/)?over-het-panel/samenstelling/"),
    ("privacy", r"(.*/)?privacy(verklaring)?/"),
    ("accessibility", r"(.*/)?toegankelijkheid(sverklaring)?/"),
    ("contact", r"(.*/)?contact/"),
    ("home", r""),
    ("content", r".*"),
]


def page_type(path: str) -> str:
    """``"resultaten/2024-voorjaar/"`` → ``"results"`` (see :data:`PAGE_TYPES`)."""
    return next(kind for kind, pattern in PAGE_TYPES if re.fullmatch(pattern, path))


@dataclass(frozen=True)
class Page:
    """One HTML file of one built site."""

    slug: str
    file: Path
    path: str  # URL path inside the site: "", "over-het-panel/", "404.html"

    @property
    def rel(self) -> str:
        """URL path inside the dist folder: ``"lindenhaven/over-het-panel/"``."""
        return f"{self.slug}/{self.path}"

    @property
    def type(self) -> str:
        return page_type(self.path)


def site_pages(dist: Path, slugs: Iterable[str] | None = None) -> list[Page]:
    """Every HTML page of every site in ``dist`` (or of ``slugs``)."""
    return [
        Page(slug, file, page_path(dist / slug, file))
        for slug in (slugs if slugs is not None else site_slugs(dist))
        for file in html_pages(dist / slug)
    ]


def site_slugs(dist: Path) -> list[str]:
    """The municipalities in a dist folder: every sub-folder with an ``index.html``."""
    return sorted(p.parent.name for p in dist.glob("*/index.html"))


# --------------------------------------------------------------------------- serving


def site_base_path(site_dir: Path) -> str:
    """The URL path a site is published under (``"/"``, ``"/panel/"``), from its canonical links."""
    index = site_dir / "index.html"
    if index.is_file():
        m = re.search(r'<link[^>]*rel="canonical"[^>]*href="([^"]+)"', index.read_text(encoding="utf-8",
                                                                                       errors="replace"))
        if m:
            return urlsplit(m.group(1)).path or "/"
    sitemap = site_dir / "sitemap.xml"
    if sitemap.is_file():
        paths = [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap.read_text(encoding="utf-8"))]
        if paths:
            return min(paths, key=len) or "/"
    return "/"


class _SiteHandler(SimpleHTTPRequestHandler):
    """One built site under its base path; a missing path gets the site's ``404.html``."""

    prefix = "/"
    protocol_version = "HTTP/1.1"  # keep-alive: a browser loads a page's files over one connection

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if path + "/" == self.prefix:
            path = self.prefix
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".outside-the-site" / "missing")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code, message=None, explain=None):
        not_found = Path(self.directory) / "404.html"
        if code != 404 or not not_found.is_file():
            return super().send_error(code, message, explain)
        body = not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a browser closing a page early is fine
            super().handle_error(request, client_address)


@contextmanager
def served_site(site_dir: Path, prefix: str | None = None) -> Iterator[str]:
    """Serve one site on 127.0.0.1 (a free port) under its base path; yields its base URL.

    ``prefix`` defaults to :func:`site_base_path`, so the 404 page's absolute links work.
    """
    prefix = prefix or site_base_path(site_dir)
    handler = functools.partial(type("Handler", (_SiteHandler,), {"prefix": prefix}), directory=str(site_dir))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=f"panelsite-serve-{site_dir.name}", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_sites(dist: Path, slugs: Iterable[str] | None = None) -> Iterator[dict[str, str]]:
    """Serve each site of ``dist`` on its own port, as on its own host; yields slug → base URL."""
    with ExitStack() as stack:
        yield {slug: stack.enter_context(served_site(dist / slug))
               for slug in (slugs if slugs is not None else site_slugs(dist))}


def page_url(base_urls: dict[str, str], page: "Page") -> str:
    return base_urls[page.slug] + page.path


# --------------------------------------------------------------------------- findings


@dataclass
class Finding:
    """One problem on one page, from one tool."""

    page: str  # path inside the dist folder: "lindenhaven/over-het-panel/"
    tool: str  # "axe", "htmlcs", "vnu", "pa11y" (a page that could not be checked)
    code: str
    message: str
    selector: str = ""
    context: str = ""
    type: str = "error"
    criteria: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        where = f" at {self.selector}" if self.selector else ""
        return f"{self.page}: [{self.tool}] {self.code}{where}: {self.message}"


_HTMLCS_SC = re.compile(r"^(\d)_(\d)_(\d+)$")
_AXE_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")


def criteria_for_htmlcs(code: str) -> list[str]:
    """``WCAG2AA.Principle1.Guideline1_4.1_4_3.G18.Fail`` → ``["1.4.3"]``."""
    return [".".join(m.groups()) for part in code.split(".") if (m := _HTMLCS_SC.match(part))]


def criteria_for_axe_tags(tags: Iterable[str]) -> list[str]:
    """axe tags ``["cat.color", "wcag2aa", "wcag143"]`` → ``["1.4.3"]`` (levels are not criteria)."""
    return [".".join(m.groups()) for tag in tags if (m := _AXE_TAG.match(tag))]


@functools.lru_cache(maxsize=None)
def axe_rule_tags(project_root: Path = PROJECT_ROOT) -> dict[str, tuple[str, ...]]:
    """Rule id → tags, read from the axe-core that pa11y uses (one ``node`` call)."""
    script = (
        "const p=require.resolve('axe-core',{paths:[require.resolve('pa11y')]});"
        "const axe=require(p);"
        "process.stdout.write(JSON.stringify(Object.fromEntries(axe.getRules().map(r=>[r.ruleId,r.tags]))))"
    )
    out = subprocess.run(["node", "-e", script], cwd=project_root, capture_output=True, text=True)
    if out.returncode != 0:
        raise BuildError(f"cannot read axe-core rules (run scripts/install.sh): {out.stderr.strip()}")
    return {rule: tuple(tags) for rule, tags in json.loads(out.stdout).items()}


def criteria_for(tool: str, code: str, axe_tags: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The WCAG success criteria a finding belongs to (empty when it belongs to none)."""
    if tool == "htmlcs":
        return criteria_for_htmlcs(code)
    if tool == "axe":
        return criteria_for_axe_tags((axe_tags or {}).get(code, ()))
    return []


# --------------------------------------------------------------------------- tools


def _require(path: Path | str, what: str) -> None:
    if not (Path(path).exists() or shutil.which(str(path))):
        raise BuildError(f"{what} not found ({path}); run: bash scripts/install.sh")


def pa11y_config(urls: list[str], project_root: Path = PROJECT_ROOT, **defaults) -> dict:
    """The pa11y-ci config: ``.pa11yci.base.json`` plus the URLs (and overrides in ``defaults``)."""
    config = json.loads((project_root / ".pa11yci.base.json").read_text(encoding="utf-8"))
    config["defaults"].update(defaults)
    config["urls"] = list(urls)
    return config


def run_pa11y(urls: list[str], project_root: Path = PROJECT_ROOT, **defaults) -> dict[str, list[dict]]:
    """Run pa11y-ci once over ``urls``; returns url → pa11y issues (errors only).

    A page pa11y could not load is reported as one issue with code ``pa11y-load-error``.
    """
    binary = project_root / "node_modules" / ".bin" / "pa11y-ci"
    _require(binary, "pa11y-ci")
    _require(CHROMIUM, "Chromium")
    with tempfile.TemporaryDirectory(prefix="panelsite-pa11y-") as tmp:
        config_path = Path(tmp) / "pa11yci.json"
        result_path = Path(tmp) / "results.json"
        config = pa11y_config(urls, project_root, **defaults)
        config["defaults"]["reporters"] = [["json", {"fileName": str(result_path)}]]
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="true", PUPPETEER_EXECUTABLE_PATH=CHROMIUM)
        proc = subprocess.run(
            [str(binary), "--config", str(config_path)],
            cwd=project_root, capture_output=True, text=True, env=env,
        )
        if proc.returncode not in (0, 2) or not result_path.exists():
            raise BuildError(f"pa11y-ci failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        results = json.loads(result_path.read_text(encoding="utf-8"))["results"]
    issues: dict[str, list[dict]] = {url: [] for url in urls}
    for url, items in results.items():
        for item in items:
            if "code" not in item:  # pa11y could not test the page at all
                item = {"code": "pa11y-load-error", "runner": "pa11y", "message": str(item.get("message", item))}
            issues.setdefault(url, []).append(item)
    return issues


def vnu_jar(project_root: Path = PROJECT_ROOT) -> Path:
    return project_root / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def run_vnu(files: list[Path], project_root: Path = PROJECT_ROOT) -> list[dict]:
    """Run the Nu HTML Checker once over ``files``; returns its messages (file path in ``"file"``).

    Message ``type`` is ``"error"``, ``"info"`` (``subType: "warning"`` for warnings) or
    ``"non-document-error"`` (the file could not be read).
    """
    jar = vnu_jar(project_root)
    _require(jar, "vnu.jar")
    _require("java", "Java")
    if not files:
        return []
    proc = subprocess.run(
        ["java", "-Xss8m", "-jar", str(jar), "--format", "json", "--stdout", "--skip-non-html",
         *[str(f) for f in files]],
        capture_output=True, text=True,
    )
    try:
        messages = json.loads(proc.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as exc:
        raise BuildError(f"vnu failed (exit {proc.returncode}): {exc}\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}") from None
    for message in messages:
        url = message.get("url", "")
        message["file"] = url[len("file:"):] if url.startswith("file:") else url
    return messages


def vnu_is_error(message: dict) -> bool:
    """Errors fail the gate; warnings are printed; plain info messages are ignored."""
    return message.get("type") in ("error", "non-document-error")


def vnu_is_warning(message: dict) -> bool:
    return message.get("type") == "info" and message.get("subType") == "warning"


def tool_versions(project_root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Versions of the checkers, from the installed packages (for the report)."""
    versions = {}
    for name in ("pa11y-ci", "pa11y", "axe-core", "vnu-jar"):
        pkg = project_root / "node_modules" / name / "package.json"
        if pkg.exists():
            versions[name] = json.loads(pkg.read_text(encoding="utf-8")).get("version", "?")
    return versions


# --------------------------------------------------------------------------- checking


def check_sites(dist: Path, slugs: list[str], base_urls: dict[str, str],
                project_root: Path = PROJECT_ROOT) -> dict[str, dict]:
    """Check every page of each site in ``slugs`` (one pa11y-ci and one vnu run); slug → report.

    ``base_urls`` maps each slug to where its site is served (see :func:`serve_sites`).
    """
    pages = site_pages(dist, slugs)
    pa11y = run_pa11y([page_url(base_urls, page) for page in pages], project_root)
    vnu = run_vnu([page.file for page in pages], project_root)
    axe_tags = axe_rule_tags(project_root)

    page_of = {page_url(base_urls, page): page for page in pages}
    page_of.update({page.file.resolve(): page for page in pages})
    findings: dict[str, list[Finding]] = defaultdict(list)
    for url, issues in pa11y.items():
        page = page_of[url]
        for issue in issues:
            tool = issue.get("runner", "pa11y")
            findings[page.slug].append(Finding(
                page=page.rel, tool=tool, code=issue["code"], message=issue.get("message", ""),
                selector=issue.get("selector", ""), context=issue.get("context") or "",
                type=issue.get("type", "error"), criteria=criteria_for(tool, issue["code"], axe_tags),
            ))
    for message in vnu:
        if vnu_is_error(message) or vnu_is_warning(message):
            page = page_of[Path(message["file"]).resolve()]
            line = message.get("lastLine") or message.get("firstLine")
            findings[page.slug].append(Finding(
                page=page.rel, tool="vnu", code=f"line {line}" if line else "vnu",
                message=message.get("message", ""), context=message.get("extract", ""),
                type="error" if vnu_is_error(message) else "warning",
            ))

    today = _dt.date.today().isoformat()
    versions = tool_versions(project_root)
    return {
        slug: {
            "slug": slug,
            "date": today,
            "standard": "WCAG2AA",
            "tools": versions,
            "pages": [page.rel for page in pages if page.slug == slug],
            "findings": [asdict(f) for f in findings.get(slug, [])],
        }
        for slug in slugs
    }


def run_a11y_check(dist_dir: Path, slug: str, out_dir: Path | None = None,
                   base_url_for_serving: str | None = None, project_root: Path = PROJECT_ROOT) -> dict:
    """Check one municipality's site in ``dist_dir/<slug>``; write its report to ``out_dir`` if given.

    ``base_url_for_serving`` is where the site is already served; without it the site is
    served here (:func:`serve`) for the duration of the check.
    """
    if base_url_for_serving:
        report = check_sites(dist_dir, [slug], {slug: base_url_for_serving}, project_root)[slug]
    else:
        with served_site(dist_dir / slug) as base_url:
            report = check_sites(dist_dir, [slug], {slug: base_url}, project_root)[slug]
    if out_dir is not None:
        write_report(report, out_dir)
    return report


# --------------------------------------------------------------------------- reports


def errors(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["type"] == "error"]


def by_criterion(findings: Iterable[dict]) -> dict[str, list[dict]]:
    """Findings grouped by success criterion, in WCAG order; ``"overig"`` last."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        for criterion in f["criteria"] or [UNMAPPED]:
            groups[criterion].append(f)

    def order(key: str):
        return (1, ()) if key == UNMAPPED else (0, tuple(int(n) for n in key.split(".")))

    return {key: groups[key] for key in sorted(groups, key=order)}


def report_summary(report: dict) -> dict:
    """The compact form for the accessibility statement (``content/<slug>/a11y-report.json``)."""
    errs = errors(report)
    return {
        "date": report["date"],
        "standard": report["standard"],
        "tools": report["tools"],
        "pages_checked": len(report["pages"]),
        "errors": len(errs),
        "warnings": len(report["findings"]) - len(errs),
        "passed": not errs,
        "errors_by_criterion": {c: len(fs) for c, fs in by_criterion(errs).items()},
        "findings_by_criterion": {c: len(fs) for c, fs in by_criterion(report["findings"]).items()},
        "pages": list(report["pages"]),
    }


def write_report(report: dict, out_dir: Path) -> tuple[Path, Path]:
    """Write ``<slug>.json`` and a readable ``<slug>.html`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{report['slug']}.json"
    html_path = out_dir / f"{report['slug']}.html"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    html_path.write_text(_report_html(report), encoding="utf-8")
    return json_path, html_path


def _report_html(report: dict) -> str:
    e = html.escape
    summary = report_summary(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Toegankelijkheidscontrole {e(report['slug'])} – {e(report['date'])}</title></head>",
        "<body><main>",
        f"<h1>Toegankelijkheidscontrole {e(report['slug'])}</h1>",
        f"<p>Datum: {e(report['date'])}. Norm: {e(report['standard'])}. "
        f"Gecontroleerde pagina's: {summary['pages_checked']}. "
        f"Fouten: {summary['errors']}. Waarschuwingen: {summary['warnings']}.</p>",
        "<p>Hulpmiddelen: " + ", ".join(f"{e(k)} {e(v)}" for k, v in report["tools"].items()) + ".</p>",
    ]
    if not report["findings"]:
        parts.append("<p>Geen bevindingen.</p>")
    for criterion, findings in by_criterion(report["findings"]).items():
        title = ("Overige bevindingen (geen enkel succescriterium)" if criterion == UNMAPPED
                 else f"Succescriterium {criterion}")
        parts.append(f"<h2>{e(title)} ({len(findings)})</h2><ul>")
        for f in findings:
            where = f" <code>{e(f['selector'])}</code>" if f["selector"] else ""
            parts.append(
                f"<li>{e(f['type'])} op <code>{e(f['page'])}</code>{where} "
                f"({e(f['tool'])} {e(f['code'])}): {e(f['message'])}</li>"
            )
        parts.append("</ul>")
    parts.append("<h2>Gecontroleerde pagina's</h2><ul>")
    parts.extend(f"<li><code>{e(p)}</code></li>" for p in report["pages"])
    parts.append("</ul></main></body></html>\n")
    return "\n".join(parts)


def main_check_a11y(project_root: Path, dist: Path, slugs: list[str], publish: bool = False) -> int:
    """``build.py check --a11y``: check, write ``reports/a11y/<slug>.{json,html}``; exit 1 on errors.

    With ``publish`` the summary is also written to ``content/<slug>/a11y-report.json``,
    which the accessibility statement shows after the next build.
    """
    slugs = slugs or site_slugs(dist)
    out_dir = project_root / "reports" / "a11y"
    tools_root = project_root if (project_root / "node_modules").is_dir() else PROJECT_ROOT
    with serve_sites(dist, slugs) as base_urls:
        reports = check_sites(dist, slugs, base_urls, tools_root)
    failed = 0
    for slug, report in reports.items():
        json_path, html_path = write_report(report, out_dir)
        summary = report_summary(report)
        if publish:
            target = project_root / "content" / slug / "a11y-report.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for f in errors(report):
            print(Finding(**f))
        print(f"{slug}: {summary['pages_checked']} pages, {summary['errors']} errors, "
              f"{summary['warnings']} warnings → {html_path.relative_to(project_root)}")
        failed += not summary["passed"]
    return 1 if failed else 0
