"""``panelsite serve``: build, serve every site locally, rebuild on change, reload the browser.

    http://HOST:PORT/            an index of the sites
    http://HOST:PORT/<slug>/     one municipality, built for exactly that URL

The preview is built with ``--base-url http://HOST:PORT/{slug}/`` (so canonical
links and the 404 page work) into ``.panelsite-cache/serve/<port>[-drafts]/`` —
never into ``dist/``, whose files stay built for the real URL. Each run has its
own folder, so two previews side by side (another port, ``--drafts``) never
overwrite each other's pages; a second run on the same folder (the same
``--out``) is refused. ``content/``, ``themes/`` and ``municipalities/`` are
watched; a change rebuilds incrementally in this process (imports stay warm) and
the open pages of the sites it changed reload (see :mod:`panelsite.authoring.livereload`).

A failed build shows an error page instead of the site, listing every problem
with its file and line, and the same list in the terminal; fixing the file
rebuilds and the page recovers by itself. After a rebuild the terminal shows the
B1 readability warnings of the files just saved (see :mod:`panelsite.authoring.readability`).

The response collector runs beside it as a subprocess
(``python -m panelsite collect``) with the preview origin accepted, so the
forms can be tried out; mails land in ``var/mail/``. Without it (``--no-collector``,
or it cannot start) the forms post to a page of the preview that says so —
never to the municipality's real collector, where test sign-ups would count.

With ``--drafts`` a draft page and the pages of a survey under embargo carry a
banner saying so (the preview's own, like the readability notes).
"""

from __future__ import annotations

import contextlib
import html
import mimetypes
import os
import posixpath
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from panelsite.authoring import children, cms, livereload
from panelsite.errors import LOG, PanelsiteError, Problem, captured, problem_count, relpath

WATCHED = ("content", "themes", "municipalities")
PREVIEW_DIR = Path(".panelsite-cache") / "serve"
NO_COLLECTOR_PATH = "/__panelsite/no-collector/"
LOCK_FILE = ".panelsite/serve.pid"


def run_preview(options, host: str, port: int, collector_port: int | None, cms_port: int | None = None) -> int:
    url_host = host_for_url(host)
    origin = f"http://{url_host}:{port}"
    from panelsite.engine.pipeline import check_out

    out = preview_out(options, host, port)
    check_out(replace(options, out=out))  # --out naming a file: a message, not a traceback
    holder = claim_folder(out)
    if holder:
        print(f"error: another `serve` (process {holder}) is using {out}; stop it first, "
              "or give this one its own --out", file=sys.stderr)
        return 1
    preview = Preview(replace(options, out=out, base_url=origin + "/{slug}/"))
    try:
        server = make_server(preview, host, port)
    except OSError as exc:
        release_folder(out)
        print(f"error: cannot listen on {host}:{port} ({exc.strerror}); try another --port", file=sys.stderr)
        return 1
    collector = None
    if collector_port is not None:
        collector = start_collector(options.root, host, collector_port, preview_origins(url_host, port),
                                    f"http://{url_host}:{port}/{{slug}}/")
    if collector:
        preview.options = replace(preview.options, collector_url=f"http://{url_host}:{collector_port}/")
        watch_collector(collector, preview.stopping)
    elif not options.collector_url:
        # Without a local collector the build would use each municipality's collector.url:
        # test sign-ups from the preview would reach the live service.
        preview.options = replace(preview.options, collector_url=origin + NO_COLLECTOR_PATH)
    proxy = None
    if cms_port is not None:
        proxy = cms.start_proxy(options.root, host, cms_port, origin)
    if proxy:
        preview.cms_backend = cms.local_backend(cms.proxy_url(host, cms_port))
        print(f"CMS at {origin}{cms.PATH} (saves into {options.root}; the pages rebuild)", flush=True)
    _stop_on_sigterm()
    if preview.rebuild(first=True):
        preview.readability()
    watcher = threading.Thread(target=preview.watch, name="panelsite-watch", daemon=True)
    watcher.start()
    print(f"Serving {len(preview.sites) or 'the'} site{'s' if len(preview.sites) != 1 else ''} at {origin}/ "
          f"(watching {', '.join(WATCHED)}; Ctrl+C stops)", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
    finally:
        preview.stop()
        server.server_close()
        children.stop(collector)
        children.stop(proxy)
        release_folder(out)
    return 0


def _stop_on_sigterm() -> None:
    """SIGTERM (a process manager, a test) stops like Ctrl+C, so the collector stops too."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def preview_out(options, host: str = "127.0.0.1", port: int = 8000) -> Path:
    """Where the preview is built: an explicit ``--out``, else a folder of this run's own in
    ``.panelsite-cache/serve/``, named after what changes the output (the address the pages
    are built for, and ``--drafts``). Two runs side by side can never have the same address,
    so they never share a folder; the same run started again reuses its folder (fast)."""
    if options.out_given:
        return options.out
    name = str(port) if host_for_url(host) in ("localhost", "127.0.0.1") else f"{host_for_url(host)}-{port}"
    name = "".join(c if c.isalnum() or c in "-." else "-" for c in name)  # an IPv6 address
    return options.root / PREVIEW_DIR / (name + ("-drafts" if options.drafts else ""))


def claim_folder(out: Path) -> int | None:
    """Mark ``out`` as this process's preview; the process id of another live ``serve`` using it."""
    from panelsite.engine.writer import process_running

    lock = out / LOCK_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        holder = int(lock.read_text().strip())
    except (OSError, ValueError):
        holder = None
    if holder and holder != os.getpid() and process_running(holder):
        return holder
    lock.write_text(f"{os.getpid()}\n")
    return None


def release_folder(out: Path) -> None:
    lock = out / LOCK_FILE
    try:
        if lock.read_text().strip() == str(os.getpid()):
            lock.unlink()
    except (OSError, ValueError):
        pass


def preview_origins(url_host: str, port: int) -> list[str]:
    hosts = {url_host} | ({"localhost", "127.0.0.1"} if url_host in ("localhost", "127.0.0.1") else set())
    return sorted(f"http://{h}:{port}" for h in hosts)


# --------------------------------------------------------------------------
# building


class Preview:
    """The preview's build state: the last problems, the site list and the reload version."""

    def __init__(self, options):
        self.options = options
        self.problems: list[Problem] = []
        # The sites the last build skipped for their problems (the others are served); None: every site.
        self.skipped: set[str] | None = set()
        self.traceback: str | None = None
        self.sites: dict[str, str] = {}  # slug → municipality name
        self.notifier = livereload.Notifier()
        self.stopping = threading.Event()
        self.lock = threading.Lock()  # no request reads a site while it is swapped
        self.page_sources: dict[tuple[str, str], str] = {}  # (slug, file) → the source it is made from
        self.text_warnings: dict[str, list[tuple[int, str]]] = {}  # source → (line, what) of its B1 warnings
        self.banners: dict[tuple[str, str], str] = {}  # (slug, file) → "draft" or an embargo's end (--drafts)
        self.manifests: dict[str, dict] = {}  # slug → its build manifest, to see what a rebuild changed
        self._pending: set[str] | None = set()  # the sites the last rebuild changed; None: every page
        self.cms_backend: dict | None = None  # Decap's local backend, when decap-server runs beside

    @property
    def out(self) -> Path:
        return self.options.out

    def rebuild(self, first: bool = False, changes: str = "", notify: bool = True) -> bool:
        """Build (incrementally); afterwards the pages of the sites it changed reload (unless
        ``notify`` is false: then :meth:`notify` does). Returns whether it succeeded."""
        from panelsite.config.municipality import load_each
        from panelsite.engine import pipeline
        from panelsite.errors import SitesSkipped

        started = time.perf_counter()
        # After the first build every rebuild runs in this process: a process
        # pool would import pandas, plotly and Jinja again for each rebuild.
        options = self.options if first else replace(self.options, jobs=1, progress=False)
        before = (list(self.problems), self.traceback, dict(self.sites), self.skipped)
        changed_sites: set[str] = set()
        with self.lock:
            try:
                with captured():  # the build below reports the configuration's warnings
                    loaded = load_each(options.root, options.only)
                names = loaded.valid
                self.sites = {slug: m.name for slug, m in names.items()} | {slug: slug for slug in loaded.broken}
                # The first build reports as `build` does; a rebuild says only what it rebuilt.
                with contextlib.nullcontext() if first else captured():
                    try:
                        results = pipeline.build(options)
                        self.problems, self.skipped = [], set()
                    except SitesSkipped as exc:  # the other sites are built: they are served as usual
                        results, self.problems, self.skipped = exc.results, list(exc.problems), set(exc.skipped)
                self.traceback = None
                manifests = _manifests(options.out, self.sites)
                # A touch without a change, or a save the watcher sees twice, renders nothing:
                # the tabs stay as they are (a reload loses the reader's place and open <details>).
                changed_sites = {r.slug for r in results if r.rendered} | {
                    slug for slug in self.sites if manifests.get(slug) != self.manifests.get(slug)}
                self.manifests = manifests
                self.page_sources = _page_sources(manifests)
                if options.drafts:
                    self.banners = _banners(options, names, manifests)
            except PanelsiteError as exc:
                self.problems, self.traceback, self.skipped = list(exc.problems), None, None
            except Exception:  # noqa: BLE001 - a bug should show up on the page too, not stop the preview
                self.problems = [Problem("panelsite", "the build crashed (see the traceback below)")]
                self.traceback, self.skipped = traceback.format_exc(), None
        # The error page and the index show every site: they change with the problems or the list.
        after = (self.problems, self.traceback, self.sites, self.skipped)
        self._pending = None if first or before != after else changed_sites
        seconds = time.perf_counter() - started
        if self.problems:
            number = problem_count(self.problems)
            count = f"{number} problem{'s' if number != 1 else ''}"
            if self.skipped:
                LOG.info(f"Built{changes} without {', '.join(sorted(self.skipped))}: {count}")
            else:
                LOG.info(f"Build failed{changes}: {count}")
            for problem in self.problems:
                LOG.info(f"  error: {problem}")
            if self.traceback:
                LOG.info(self.traceback)
        elif not first:
            rendered = sum(r.rendered for r in results)
            LOG.info(f"Rebuilt{changes} in {seconds:.2f} s ({rendered} file{'s' if rendered != 1 else ''} rendered)")
        if notify:
            self.notify()
        return not self.problems

    def failed(self, slug: str | None) -> bool:
        """Whether the pages of ``slug`` (None: the preview's index) show the problems instead."""
        if not self.problems:
            return False
        return self.skipped is None or slug in self.skipped

    def notify(self) -> None:
        """Reload the open pages of what the last rebuild changed."""
        self.notifier.bump(self._pending)
        self._pending = set()

    def watch(self) -> None:
        """Rebuild after every batch of changes until :meth:`stop`."""
        import watchfiles

        root = self.options.root
        folders = [root / name for name in WATCHED if (root / name).is_dir()]
        for changes in watchfiles.watch(*folders, stop_event=self.stopping, raise_interrupt=False,
                                        debounce=100, step=20):
            paths = {path for _, path in changes}
            shown_paths = {p for p in paths if os.path.exists(p)} or paths  # not an editor's temporary file
            changed = sorted(relpath(path, root) for path in shown_paths)
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            # The pages reload after the readability notes are updated, so they show the new ones.
            if self.rebuild(changes=f" after a change to {shown}", notify=False):
                self.readability([Path(p) for p in shown_paths])
            self.notify()

    def readability(self, paths: list[Path] | None = None) -> None:
        """The B1 warnings of the texts just saved (``paths``; None: every text), so the author sees
        them while writing: in the terminal, and on the preview pages made from those texts."""
        from panelsite.authoring import readability

        root = self.options.root
        if paths is None:
            files = readability.source_files(root, self.sites)
        else:
            files = sorted(p for p in paths if p.is_file() and readability.is_source(p, root))
        shown = 0
        for path in files:
            try:
                texts = readability.file_texts(path, root)
            except PanelsiteError:
                continue  # the build has reported this file already
            source = relpath(path, root)
            notes = [note for file, line, text, markdown in texts
                     for note in readability.analyse(text, file, line, markdown).notes()]
            self.text_warnings[source] = notes
            if paths is not None:
                for line, what in notes:  # listed under "Rebuilt after a change to …", indented
                    LOG.info(f"  warning: {source}:{line}: {what}")
            shown += len(notes)
        if paths is None and shown:
            LOG.info(f"Readability: {shown} B1 warning{'s' if shown != 1 else ''} (shown on the preview pages; "
                     "python build.py readability lists them)")

    def notes_for(self, slug: str, file: str) -> tuple[str, list[tuple[int, str]]] | None:
        """The source of a preview page and its readability warnings, when it has any."""
        source = self.page_sources.get((slug, file))
        warnings = self.text_warnings.get(source or "")
        return (source, warnings) if warnings else None

    def stop(self) -> None:
        self.stopping.set()
        self.notifier.close()


def _manifests(out: Path, slugs) -> dict[str, dict]:
    import json

    from panelsite.engine.pipeline import MANIFEST_DIR

    found = {}
    for slug in slugs:
        try:
            found[slug] = json.loads((out / MANIFEST_DIR / f"{slug}.json").read_text())
        except (OSError, ValueError):
            continue
    return found


def _page_sources(manifests: dict[str, dict]) -> dict[tuple[str, str], str]:
    """(slug, file) → source file, from the build manifests."""
    return {(slug, path): entry["source"] for slug, manifest in manifests.items()
            for path, entry in manifest.items() if path.endswith(".html") and entry.get("source")}


def _banners(options, municipalities, manifests: dict[str, dict]) -> dict[tuple[str, str], str]:
    """(slug, file) → ``"draft"`` or the ``publish_on`` of its survey, for the pages only --drafts shows.

    Read from the sources here rather than recorded by the build: the manifest stays about
    what an output is made from, and a few front matters and survey.yaml files read quickly.
    """
    import datetime as dt

    import yaml

    from panelsite.engine import content

    banners = {}
    for slug, manifest in manifests.items():
        try:
            drafts = {page.display for page in content.load_pages(options.root, slug, True) if page.meta.draft}
        except PanelsiteError:
            drafts = set()
        embargoes = {}
        concepts: list[str] = []  # site paths of a survey or factsheet marked draft: true
        for survey in sorted((options.root / "content" / slug / "surveys").glob("*/survey.yaml")):
            try:
                data = yaml.safe_load(survey.read_text(encoding="utf-8")) or {}
                publish_on = data.get("publish_on")
            except Exception:  # noqa: BLE001 - the build has reported a broken survey.yaml
                continue
            survey_id = survey.parent.name
            if data.get("draft") is True:
                concepts += [f"resultaten/{survey_id}/", f"vragenlijst/{survey_id}/"]
            elif _draft_front_matter(survey.parent / "factsheet.md"):
                concepts += [f"resultaten/{survey_id}/factsheet"]
            if isinstance(publish_on, str):
                try:
                    publish_on = dt.date.fromisoformat(publish_on)
                except ValueError:
                    continue
            if isinstance(publish_on, dt.date) and publish_on > options.today:
                embargoes[survey.parent.name] = publish_on
        for path, entry in manifest.items():
            if not path.endswith(".html"):
                continue
            source = entry.get("source") or ""
            if source in drafts or path.startswith(tuple(concepts)):
                banners[(slug, path)] = "draft"
                continue
            for survey_id, publish_on in embargoes.items():
                if path.startswith(f"resultaten/{survey_id}/") or source.startswith(
                        f"content/{slug}/surveys/{survey_id}/"):
                    banners[(slug, path)] = publish_on.isoformat()
    return banners


def _draft_front_matter(file: Path) -> bool:
    """Whether a Markdown file's front matter says ``draft: true`` (False when it cannot be read)."""
    import yaml

    from panelsite.engine.content import FRONT_MATTER

    try:
        match = FRONT_MATTER.match(file.read_text(encoding="utf-8-sig"))
        return bool(match) and (yaml.safe_load(match.group(1)) or {}).get("draft") is True
    except Exception:  # noqa: BLE001 - the build reports a broken file
        return False


def preview_banner(page: bytes, state: str) -> bytes:
    """``page`` with a banner at the top of ``<body>`` saying it is not on the real site yet."""
    import datetime as dt

    from panelsite import i18n

    if state == "draft":
        text = "Concept: deze pagina staat nog niet op de echte website."
    else:
        text = (f"Onder embargo tot {i18n.date(dt.date.fromisoformat(state))}: "
                "deze pagina staat nog niet op de echte website.")
    banner = (f'<p class="panelsite-preview-banner" role="note" style="margin:0;padding:.75rem 1rem;'
              f'background:#1a1a1a;color:#fff;font:700 1rem/1.4 system-ui,sans-serif;text-align:center">'
              f"{html.escape(text)} (alleen in de preview)</p>").encode()
    return _inside_start_of(page, b"<body", banner)


def readability_notes(page: bytes, source: str, warnings: list[tuple[int, str]]) -> bytes:
    """``page`` with its source's readability warnings at the top of ``<main>`` (preview only)."""
    items = "".join(f"<li>Line {line}: {html.escape(what)}</li>" for line, what in warnings)
    count = f"{len(warnings)} readability warning{'s' if len(warnings) != 1 else ''}"
    notes = (f'<details class="panelsite-preview-notes" style="margin:0 0 1.5rem;padding:.5rem 1rem;'
             f'border-left:.3rem solid #8a5a00;background:#fff8e6;color:#1a1a1a">'
             f"<summary>{count} (B1) in {html.escape(source)} — shown in the preview only</summary>"
             f"<ul>{items}</ul></details>").encode()
    return _inside_start_of(page, b"<main", notes)


def _inside_start_of(page: bytes, tag: bytes, snippet: bytes) -> bytes:
    """``page`` with ``snippet`` right after the opening ``tag`` (unchanged without one)."""
    start = page.find(tag)
    end = page.find(b">", start) if start != -1 else -1
    if end == -1:
        return page
    return page[:end + 1] + snippet + page[end + 1:]


# --------------------------------------------------------------------------
# the collector


def host_for_url(host: str) -> str:
    return "localhost" if host in ("", "0.0.0.0", "::") else host


COLLECTOR_START_SECONDS = 30


def start_collector(root: Path, host: str, port: int, origins: list[str],
                    site_url: str | None = None) -> subprocess.Popen | None:
    """``python -m panelsite collect`` in the project folder, once it answers on its port;
    None (with an error) when it is unavailable, its port is taken or it does not start."""
    import importlib.util

    try:
        available = importlib.util.find_spec("panelsite.collector.commands") is not None
    except ImportError:
        available = False
    if not available:
        print("warning: the response collector (panelsite.collector) is not available; serving without it, "
              "so the forms cannot be sent", file=sys.stderr)
        return None
    # A collector of another run on this port would take the forms' posts and refuse them
    # (403: not its preview's origin), while the terminal said all was well.
    busy = _port_taken(host, port)
    if busy:
        print(f"error: cannot start the collector on {host}:{port} ({busy}); try --collector-port or "
              "--no-collector. Serving without it: the forms cannot be sent", file=sys.stderr, flush=True)
        return None
    (root / "var").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "panelsite", "collect", "--host", host, "--port", str(port),
               "--mail-dir", "var/mail", "--database-url", "sqlite:///var/collector.sqlite3"]
    for origin in origins:
        command += ["--preview-origin", origin]
    # Links in its mails and pages point at this collector, not at the municipality's public one
    # (which --public-url overrides: the preview is the one place it starts without its own URL).
    command += ["--public-url", f"http://{host_for_url(host)}:{port}/"]
    if site_url:
        # Thank-you pages and the collector's own pages point at the preview, not at the public sites.
        command += ["--preview-site-url", site_url]
    env = dict(os.environ)
    package_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    process = subprocess.Popen(command, cwd=root, env=env)
    if not _answers(process, host, port, time.monotonic() + COLLECTOR_START_SECONDS):
        code = process.poll()
        children.stop(process)
        why = f"it stopped with exit code {code}" if code is not None else "it did not answer"
        print(f"error: cannot start the collector on {host}:{port} ({why}; see above); try --collector-port or "
              "--no-collector. Serving without it: the forms cannot be sent", file=sys.stderr, flush=True)
        return None
    print(f"Collector at http://{host}:{port}/ (mails go to var/mail/)", flush=True)
    return process


def _port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (``"address already in use"``), or None."""
    import socket

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            if os.name != "nt":  # as the collector's own server does; on Windows it would share the port
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        return (exc.strerror or str(exc)).lower()
    return None


def _answers(process: subprocess.Popen, host: str, port: int, deadline: float) -> bool:
    """Whether the collector answers ``/healthz`` before ``deadline`` (while it runs)."""
    import urllib.error
    import urllib.request

    url = f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else '::1' if host == '::' else host}:{port}/healthz"
    if ":" in url.split("//", 1)[1].rsplit(":", 1)[0]:
        url = url.replace("//", "//[", 1).replace(f":{port}/", f"]:{port}/", 1)
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except urllib.error.HTTPError:
            return False  # it runs, but says it cannot work (a full disk, a read-only database)
        except OSError:
            time.sleep(0.1)
    return False


def watch_collector(process: subprocess.Popen, stopping: threading.Event) -> None:
    """Say so in the terminal when the collector stops while the preview runs."""
    def wait():
        code = process.wait()
        if not stopping.is_set():
            print(f"error: the response collector stopped (exit code {code}); the forms in the preview "
                  "cannot be sent until you restart serve", file=sys.stderr, flush=True)

    threading.Thread(target=wait, name="panelsite-collector", daemon=True).start()




# --------------------------------------------------------------------------
# HTTP


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    handler = type("PreviewHandler", (PreviewHandler,), {"preview": preview})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


class PreviewHandler(SimpleHTTPRequestHandler):
    preview: Preview
    server_version = "panelsite-serve"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass  # the terminal shows builds, not requests

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        if urlsplit(self.path).path.startswith(NO_COLLECTOR_PATH):
            return self._send_html(503, no_collector_page(), False)
        self._send(405, "text/plain; charset=utf-8", b"method not allowed", False)

    def do_GET(self, head: bool = False):
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path == livereload.PATH:
            if "state" in parse_qs(parts.query, keep_blank_values=True):
                return livereload.send_state(self, self.preview.notifier)
            return livereload.stream(self, self.preview.notifier)
        if path.startswith(NO_COLLECTOR_PATH):
            return self._send_html(503, no_collector_page(), head)
        if path == cms.PATH.rstrip("/"):
            return self._redirect(cms.PATH)
        if path.startswith(cms.PATH):  # before the error page: the CMS is where staff fix the mistake
            return self._send_cms_file(path[len(cms.PATH):], head)
        if not path.startswith("/") or "\0" in path:
            return self._send(400, "text/plain; charset=utf-8", b"bad request", head)
        slug, _, rest = path.lstrip("/").partition("/")
        page = path.endswith((".html", "/")) or "." not in posixpath.basename(path)
        if page and self.preview.failed(slug if path != "/" else None):
            return self._send_html(500, error_page(self.preview), head)
        if path == "/":
            return self._send_html(200, index_page(self.preview), head)
        if slug not in self.preview.sites:
            return self._send_html(404, not_found_page(self.preview, path), head)
        if "/" not in path.lstrip("/"):  # /slug → /slug/
            return self._redirect(f"/{slug}/")
        with self.preview.lock:
            self._send_site_file(slug, rest, head)

    def _send_site_file(self, slug: str, rest: str, head: bool) -> None:
        site = (self.preview.out / slug).resolve()
        normal = posixpath.normpath(rest) if rest else ""
        if normal.startswith("..") or normal.startswith("/"):
            return self._send_html(404, not_found_page(self.preview, self.path), head)
        file = site / normal if normal not in ("", ".") else site
        if file.is_dir():
            if rest and not rest.endswith("/"):
                return self._redirect(f"/{slug}/{rest}/")
            file = file / "index.html"
        if not file.is_file():
            missing = site / "404.html"
            if missing.is_file():
                return self._send_html(404, missing.read_bytes(), head, slug)
            return self._send_html(404, not_found_page(self.preview, self.path), head)
        data = file.read_bytes()
        if file.suffix == ".html":
            name = file.relative_to(site).as_posix()
            notes = self.preview.notes_for(slug, name)
            data = readability_notes(data, *notes) if notes else data
            banner = self.preview.banners.get((slug, name))
            return self._send_html(200, preview_banner(data, banner) if banner else data, head, slug)
        kind = "application/atom+xml" if file.name == "feed.xml" else (mimetypes.guess_type(file.name)[0]
                                                                       or "application/octet-stream")
        if kind.startswith("text/") or kind.endswith(("xml", "json", "javascript")):
            kind += "; charset=utf-8"
        self._send(200, kind, data, head)

    def _send_cms_file(self, name: str, head: bool) -> None:
        """Decap CMS: its page, a configuration made now from the project's files, and its own
        JavaScript from node_modules (never a CDN)."""
        backend = self.preview.cms_backend
        dist = cms.decap_dist()
        if backend is None or dist is None:
            return self._send_html(503, no_cms_page(), head)
        if name in ("", "index.html"):
            return self._send(200, "text/html; charset=utf-8", cms.ADMIN_PAGE.encode(), head)
        if name == "config.yml":
            origin = f"http://{self.headers.get('Host') or 'localhost'}"
            text = cms.config_yaml(self.preview.options.root, backend, origin + "/")
            return self._send(200, "text/yaml; charset=utf-8", text.encode(), head)
        file = dist / name
        if "/" in name or name.startswith(".") or not file.is_file():
            return self._send(404, "text/plain; charset=utf-8", b"not found", head)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.endswith("javascript"):
            kind += "; charset=utf-8"
        self._send(200, kind, file.read_bytes(), head)

    def _send_html(self, status: int, page: bytes | str, head: bool, slug: str | None = None) -> None:
        data = page.encode() if isinstance(page, str) else page
        script = self.preview.notifier.script(slug)
        self._send(status, "text/html; charset=utf-8", livereload.inject(data, script), head)

    def _send(self, status: int, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            try:
                self.wfile.write(data)
            except OSError:
                pass

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


# --------------------------------------------------------------------------
# pages of the preview server itself

_STYLE = """<style>
body{font:1rem/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1a1a1a}
h1{font-size:1.6rem} a{color:#0b5394} li{margin:.4rem 0}
.problem{border-left:.3rem solid #b00020;padding:.5rem 1rem;background:#fdf1f2;margin:0 0 1rem;list-style:none}
.where{font-family:ui-monospace,monospace;font-weight:700}
pre{white-space:pre-wrap;overflow-x:auto;background:#f4f4f4;padding:.5rem}
</style>"""


def _page(title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, '
            f'initial-scale=1">\n<title>{html.escape(title)}</title>\n'
            f"{_STYLE}\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def index_page(preview: Preview) -> str:
    skipped = preview.skipped or set()
    items = "".join(f'<li><a href="/{slug}/">{html.escape(name)}</a> <code>/{slug}/</code>'
                    + (" — not built: it has problems (below)" if slug in skipped else "") + "</li>\n"
                    for slug, name in sorted(preview.sites.items()))
    problems = (f"<h2>Problems: {len(preview.problems)}</h2>\n<ul>\n{_problem_items(preview)}</ul>"
                if preview.problems else "")
    return _page("panelsite preview", "<h1>panelsite preview</h1>\n"
                 f"<p>Sites built from <code>{html.escape(str(preview.options.root))}</code>; "
                 "pages reload after every change.</p>\n"
                 f"<ul>\n{items or '<li>No municipalities found.</li>'}</ul>\n{problems}"
                 + (f'\n<p><a href="{cms.PATH}">Edit the content in the browser (Decap CMS)</a></p>'
                    if preview.cms_backend else ""))


def no_collector_page() -> str:
    return _page("Formulier niet verstuurd – panelsite preview",
                 "<h1>Het formulier is niet verstuurd</h1>\n"
                 "<p>In deze preview draait geen response collector (<code>--no-collector</code>, of hij kon "
                 "niet starten: zie de terminal). Er is niets opgeslagen en niets gemaild.</p>\n"
                 "<p>Start <code>python build.py serve</code> zonder <code>--no-collector</code> om de formulieren "
                 "uit te proberen.</p>")


def no_cms_page() -> str:
    return _page("CMS niet beschikbaar – panelsite preview",
                 "<h1>De CMS draait niet in deze preview</h1>\n"
                 "<p>Start <code>python build.py serve</code> zonder <code>--no-cms</code>. Staat er in de terminal "
                 "dat Decap CMS niet is geïnstalleerd, voer dan <code>bash scripts/install.sh</code> uit "
                 "(dat doet <code>npm ci</code>).</p>")


def not_found_page(preview: Preview, path: str) -> str:
    return _page("Not found", f"<h1>Not found</h1>\n<p>No page at <code>{html.escape(path)}</code>.</p>\n"
                 '<p><a href="/">All sites in this preview</a></p>')


def error_page(preview: Preview) -> str:
    """The problems of the failed build, each with its file, line and the line itself."""
    count = problem_count(preview.problems)
    trace = f"<h2>Traceback</h2>\n<pre>{html.escape(preview.traceback)}</pre>" if preview.traceback else ""
    built = sorted(set(preview.sites) - preview.skipped) if preview.skipped else []
    others = ("<p>Built without problems: " + ", ".join(f'<a href="/{s}/">{html.escape(preview.sites[s])}</a>'
                                                        for s in built) + ".</p>\n") if built else ""
    return _page("Build failed – panelsite preview",
                 f"<h1>The build failed: {count} problem{'s' if count != 1 else ''}</h1>\n"
                 "<p>Fix the file and save it: the site rebuilds and this page reloads by itself.</p>\n"
                 f"{others}<ul>\n{_problem_items(preview)}</ul>\n{trace}")


def _problem_items(preview: Preview) -> str:
    items = []
    for problem in preview.problems:
        where = problem.file + (f":{problem.line}" if problem.line else "") + (
            f": row {problem.row}" if problem.row else "")
        detail = f"{html.escape(problem.key)}: " if problem.key else ""
        source = _source_line(preview.options.root, problem)
        items.append(f'<li class="problem"><p><span class="where">{html.escape(where)}</span></p>\n'
                     f"<p>{detail}{html.escape(problem.message)}</p>"
                     + (f"\n<pre><code>{problem.line} | {html.escape(source)}</code></pre>" if source else "")
                     + "</li>\n")
    return "".join(items)


def _source_line(root: Path, problem: Problem) -> str | None:
    if not problem.line:
        return None
    try:
        lines = (root / problem.file).read_text(encoding="utf-8", errors="replace").splitlines()
        return lines[problem.line - 1] if 0 < problem.line <= len(lines) else None
    except OSError:
        return None
