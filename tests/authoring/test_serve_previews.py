"""``panelsite serve`` as staff use it: many tabs, two previews side by side, no live forms.

The browser test opens more tabs than Chromium has connections per host; the
command tests run ``python build.py serve`` twice at once on one project.
"""

from __future__ import annotations

import datetime as dt
import http.client
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from panelsite.a11y import check as a11y
from panelsite import cli
from panelsite.authoring import children, preview

from .conftest import REPO, options
from .test_serve import free_port, get

DRAFT_PAGE = "---\ntitle: Nieuwe regeling\ndraft: true\n---\nDeze regeling komt er binnenkort.\n"


def running_preview(project: Path, **kw):
    port = free_port()
    opts = replace(options(project), out=project / preview.PREVIEW_DIR / str(port),
                   base_url=f"http://127.0.0.1:{port}/{{slug}}/", **kw)
    state = preview.Preview(opts)
    server = preview.make_server(state, "127.0.0.1", port)
    assert state.rebuild(first=True), state.problems
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    state.port = port
    return state, server


@pytest.fixture
def project_with_draft(small_project) -> Path:
    (small_project / "content" / "lindenhaven" / "nieuwe-regeling.md").write_text(DRAFT_PAGE, encoding="utf-8")
    return small_project


# --------------------------------------------------------------------------
# many tabs


def test_eight_tabs_all_load_and_all_reload_after_a_change(small_project):
    from playwright.sync_api import sync_playwright

    state, server = running_preview(small_project)
    page_file = small_project / "content" / "lindenhaven" / "over-de-gemeente.md"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=a11y.CHROMIUM, args=a11y.CHROMIUM_ARGS)
            context = browser.new_context()
            tabs = []
            for number in range(8):
                tab = context.new_page()
                # Each open EventSource used to hold one of Chromium's six connections per host:
                # the seventh tab never loaded.
                tab.goto(f"http://127.0.0.1:{state.port}/lindenhaven/over-de-gemeente/", timeout=60_000)
                tab.evaluate("window.__servedBefore = true")
                tabs.append(tab)
            page_file.write_text(page_file.read_text(encoding="utf-8").replace("rivier.", "brede rivier."),
                                 encoding="utf-8")
            assert state.rebuild()
            for tab in tabs:
                tab.wait_for_function("!window.__servedBefore && document.body.textContent.includes('brede rivier')",
                                      timeout=60_000)
            browser.close()
    finally:
        state.stop()
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------
# two previews side by side


def start_serve(project: Path, *args: str, env=None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--root", str(project),
                                "--port", str(port), "--jobs", "1", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return process, port


def wait_for(process: subprocess.Popen, port: int, path: str) -> str:
    deadline = time.time() + 90
    while time.time() < deadline and process.poll() is None:
        try:
            status, _, body = get(port, path)
            if status == 200:
                return body
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(process.stdout.read() if process.poll() is not None else "no answer")


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    return process.communicate(timeout=30)[0]


def test_two_previews_side_by_side_keep_their_own_pages(project_with_draft):
    plain, plain_port = start_serve(project_with_draft, "--no-collector")
    drafts, drafts_port = start_serve(project_with_draft, "--no-collector", "--drafts")
    try:
        wait_for(plain, plain_port, "/lindenhaven/")
        wait_for(drafts, drafts_port, "/lindenhaven/nieuwe-regeling/")
        # the --drafts run, started second and built last, must not have replaced the first run's pages
        status, _, body = get(plain_port, "/lindenhaven/nieuwe-regeling/")
        assert status == 404
        body = get(plain_port, "/lindenhaven/")[2]
        assert f'<link rel="canonical" href="http://127.0.0.1:{plain_port}/lindenhaven/">' in body
        assert f":{drafts_port}/" not in body
        # forms of a preview without collector never post to the municipality's real collector
        doe_mee = get(plain_port, "/lindenhaven/doe-mee/")[2]
        actions = re.findall(r'<form[^>]* action="([^"]+)"', doe_mee)
        assert actions and all(a.startswith(f"http://127.0.0.1:{plain_port}{preview.NO_COLLECTOR_PATH}")
                               for a in actions), actions
        assert "formulieren.lindenhaven.nl" not in doe_mee
        conn = http.client.HTTPConnection("127.0.0.1", plain_port, timeout=10)
        conn.request("POST", actions[0].split(str(plain_port), 1)[1], body="naam=Test",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        assert response.status == 503 and "Het formulier is niet verstuurd" in response.read().decode()
    finally:
        outputs = stop(plain), stop(drafts)
    assert plain.returncode == 0 and drafts.returncode == 0, outputs
    folders = sorted(p.name for p in (project_with_draft / preview.PREVIEW_DIR).iterdir())
    assert folders == sorted([str(plain_port), f"{drafts_port}-drafts"])


def test_a_second_serve_on_the_same_folder_is_refused(small_project, capsys):
    out = small_project / "preview"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / ".panelsite").mkdir(parents=True)
        (out / preview.LOCK_FILE).write_text(f"{holder.pid}\n")
        opts = replace(options(small_project), out=out, out_given=True)
        assert preview.run_preview(opts, "127.0.0.1", free_port(), None) == 1
    finally:
        holder.kill()
        holder.wait()
    assert f"error: another `serve` (process {holder.pid}) is using {out}" in capsys.readouterr().err
    assert not (out / "lindenhaven").exists()
    # once that process is gone, the folder is free again
    assert preview.claim_folder(out) is None
    preview.release_folder(out)


# --------------------------------------------------------------------------
# the collector


def test_a_taken_collector_port_is_an_error_not_a_collector(small_project, capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = preview.start_collector(small_project, "127.0.0.1", port, ["http://127.0.0.1:8000"])
    assert process is None
    err = capsys.readouterr()
    assert (f"error: cannot start the collector on 127.0.0.1:{port} (address already in use); "
            "try --collector-port or --no-collector") in err.err
    assert "Collector at" not in err.out


def test_serve_with_a_taken_collector_port_keeps_the_forms_off_production(small_project):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        collector_port = taken.getsockname()[1]
        process, port = start_serve(small_project, "--collector-port", str(collector_port))
        try:
            doe_mee = wait_for(process, port, "/lindenhaven/doe-mee/")
        finally:
            output = stop(process)
    assert "Collector at" not in output and "cannot start the collector" in output, output
    assert f'action="http://127.0.0.1:{port}{preview.NO_COLLECTOR_PATH}lindenhaven/' in doe_mee
    assert "formulieren.lindenhaven.nl" not in doe_mee


def test_the_collector_answers_before_serve_says_so(small_project, capsys):
    port = free_port()
    process = preview.start_collector(small_project, "127.0.0.1", port, ["http://127.0.0.1:8000"])
    try:
        assert process is not None
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # no retry: start_collector returned only once it answered /healthz
        assert f"Collector at http://127.0.0.1:{port}/" in capsys.readouterr().out
    finally:
        children.stop(process)


# --------------------------------------------------------------------------
# drafts and embargo


def test_drafts_and_embargoed_surveys_carry_a_banner_in_the_preview_only(project_with_draft):
    # afval-2026 is published on 15 April 2026: under embargo on 1 March
    state, server = running_preview(project_with_draft, drafts=True, today=dt.date(2026, 3, 1))
    try:
        draft = get(state.port, "/lindenhaven/nieuwe-regeling/")[2]
        body = draft[draft.index("<body"):]
        assert body.index('class="panelsite-preview-banner"') < body.index("<main")
        assert "Concept: deze pagina staat nog niet op de echte website." in draft
        results = get(state.port, "/lindenhaven/resultaten/afval-2026/")[2]
        assert "Onder embargo tot 15 april 2026" in results
        published = get(state.port, "/lindenhaven/resultaten/afval-2025/")[2]
        assert "panelsite-preview-banner" not in published
        assert "panelsite-preview-banner" not in get(state.port, "/lindenhaven/over-de-gemeente/")[2]
        built = (state.out / "lindenhaven" / "nieuwe-regeling" / "index.html").read_text(encoding="utf-8")
        assert "panelsite-preview-banner" not in built
    finally:
        state.stop()
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------
# the command line


def test_serve_help_names_its_own_folder_and_refuses_base_url(capsys):
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    help_text = capsys.readouterr().out
    squeezed = "".join(help_text.split())  # argparse wraps the lines
    assert "ROOT/.panelsite-cache/serve/PORT" in squeezed and "ROOT/dist" not in squeezed
    assert "--base-url" not in help_text
    assert cli.main(["serve", "--base-url", "https://preview.example.nl/{slug}/"]) == 2
    assert "error: --base-url: serve builds the preview for its own address" in capsys.readouterr().err


def test_each_run_has_its_own_preview_folder(small_project):
    opts = replace(options(small_project), out_given=False)
    folders = {preview.preview_out(opts, "127.0.0.1", 8000), preview.preview_out(opts, "127.0.0.1", 8002),
               preview.preview_out(replace(opts, drafts=True), "127.0.0.1", 8000),
               preview.preview_out(opts, "192.168.1.20", 8000)}
    assert len(folders) == 4
    assert preview.preview_out(opts, "127.0.0.1", 8000) == small_project / ".panelsite-cache" / "serve" / "8000"


# --------------------------------------------------------------------------
# one municipality's mistake (issue 17.2)


def test_a_mistake_in_one_municipality_leaves_the_others_served(small_project, capsys):
    assert cli.main(["new", "municipality", "nieuw-brabant", "--root", str(small_project)]) == 0
    capsys.readouterr()
    state, server = running_preview(small_project)
    config = small_project / "municipalities" / "nieuw-brabant.yaml"
    good = config.read_text(encoding="utf-8")
    try:
        config.write_text(good.replace("\nname: ", "\nname: [", 1), encoding="utf-8")
        assert not state.rebuild()
        assert state.skipped == {"nieuw-brabant"}
        status, _, page = get(state.port, "/nieuw-brabant/")
        assert status == 500 and "municipalities/nieuw-brabant.yaml:" in page
        status, _, page = get(state.port, "/lindenhaven/")
        assert status == 200 and "panelsite-preview" not in page
        index = get(state.port, "/")[2]
        assert "not built: it has problems" in index and "municipalities/nieuw-brabant.yaml:" in index
        # a mistake in a file every site is made from stops every site
        shared = small_project / "content" / "_shared" / "contact.md"
        contact = shared.read_text(encoding="utf-8")
        shared.write_text(contact.replace("title:", "title: [", 1), encoding="utf-8")
        assert not state.rebuild()
        assert state.skipped is None and get(state.port, "/lindenhaven/")[0] == 500
        shared.write_text(contact, encoding="utf-8")
        config.write_text(good, encoding="utf-8")
        assert state.rebuild()
        assert get(state.port, "/nieuw-brabant/")[0] == 200
    finally:
        state.stop()
        server.shutdown()
        server.server_close()
