"""``panelsite serve``: the preview server's HTTP answers, live reload and error page."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from panelsite.authoring import livereload, preview as serve
from panelsite.errors import reporting

from .conftest import REPO, make_project, options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("serve") / "project")


@pytest.fixture(scope="module")
def preview(project):
    """A running preview server (no watcher, no collector) of the small project, shared by the
    tests of this module: those that change a file put it back."""
    port = free_port()
    opts = replace(options(project), out=project / serve.PREVIEW_DIR,
                   base_url=f"http://127.0.0.1:{port}/{{slug}}/")
    state = serve.Preview(opts)
    server = serve.make_server(state, "127.0.0.1", port)
    assert state.rebuild(first=True), state.problems
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.port = port
    yield state
    state.stop()
    server.shutdown()
    server.server_close()


def get(port: int, path: str) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_index_lists_every_site(preview):
    status, headers, body = get(preview.port, "/")
    assert status == 200
    assert '<a href="/lindenhaven/">Lindenhaven</a>' in body


def test_pages_get_the_reload_script_but_the_built_files_do_not(preview):
    status, headers, body = get(preview.port, "/lindenhaven/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert livereload.PATH in body and body.rstrip().endswith("</html>")
    assert f'<link rel="canonical" href="http://127.0.0.1:{preview.port}/lindenhaven/">' in body
    built = preview.out / "lindenhaven" / "index.html"
    assert livereload.PATH not in built.read_text(encoding="utf-8")


def test_assets_are_served_unchanged(preview):
    status, headers, body = get(preview.port, "/lindenhaven/assets/css/site.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert body == (preview.out / "lindenhaven/assets/css/site.css").read_text(encoding="utf-8")


def test_a_missing_page_gets_the_sites_404_page(preview):
    status, _, body = get(preview.port, "/lindenhaven/bestaat-niet/")
    assert status == 404
    assert "<h1" in body and livereload.PATH in body
    assert body.startswith((preview.out / "lindenhaven/404.html").read_text(encoding="utf-8")[:200])


def test_a_folder_without_slash_redirects(preview):
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    conn.request("GET", "/lindenhaven/privacy")
    response = conn.getresponse()
    assert response.status == 301 and response.getheader("Location") == "/lindenhaven/privacy/"


def test_paths_outside_the_site_are_not_served(preview):
    status, _, _ = get(preview.port, "/lindenhaven/../../municipalities/lindenhaven.yaml")
    assert status == 404
    status, _, _ = get(preview.port, "/lindenhaven/%2e%2e/%2e%2e/municipalities/lindenhaven.yaml")
    assert status == 404


def test_a_build_error_shows_on_the_page_and_recovers_when_fixed(preview, project):
    page = project / "content" / "lindenhaven" / "over-de-gemeente.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\nZie {{ site.bestaat_niet }}.\n", encoding="utf-8")
    assert not preview.rebuild()
    status, _, body = get(preview.port, "/lindenhaven/over-de-gemeente/")
    assert status == 500
    assert "content/lindenhaven/over-de-gemeente.md:" in body
    assert "site.bestaat_niet" in body  # the offending line is shown
    assert livereload.PATH in body  # so the page reloads once fixed
    page.write_text(good, encoding="utf-8")
    assert preview.rebuild()
    status, _, body = get(preview.port, "/lindenhaven/over-de-gemeente/")
    assert status == 200 and "aan de rivier" in body


def events(port: int, count: int, received: list) -> None:
    """Read ``count`` events of the live reload stream into ``received``."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", livereload.PATH)
    response = conn.getresponse()
    received.append(response.getheader("Content-Type"))
    data = ""
    while data.count("event: change\n") < count or not data.endswith("\n\n"):
        data += response.fp.readline().decode()
    received.append(data)
    conn.close()


def test_the_open_pages_are_told_what_a_rebuild_changed(preview, project):
    page = project / "content" / "lindenhaven" / "over-de-gemeente.md"
    good = page.read_text(encoding="utf-8")
    received = []
    listener = threading.Thread(target=events, args=(preview.port, 2, received))
    listener.start()
    while not received:  # the stream is open and sent the state it starts from
        time.sleep(0.05)
    page.write_text(good.replace("rivier.", "rivier en het bos."), encoding="utf-8")
    try:
        assert preview.rebuild()
    finally:
        page.write_text(good, encoding="utf-8")
    listener.join(20)
    assert received[0] == "text/event-stream"
    last = received[1].rsplit("event: change\ndata: ", 1)[1].splitlines()[0]
    assert json.loads(last) == {"version": preview.notifier.version, "changed": preview.notifier.changed}
    assert preview.notifier.changed["lindenhaven"] == preview.notifier.version
    assert preview.notifier.changed["*"] < preview.notifier.version, "only the site that changed reloads"
    assert preview.rebuild()  # back as it was


def test_a_rebuild_that_renders_nothing_reloads_nothing(preview, project):
    page = project / "content" / "lindenhaven" / "over-de-gemeente.md"
    before = preview.notifier.version
    page.touch()
    assert preview.rebuild()
    assert preview.rebuild()
    assert preview.notifier.version == before


def test_a_page_asks_for_the_state_it_may_have_missed(preview):
    preview.notifier.bump(["lindenhaven"])
    status, headers, body = get(preview.port, livereload.PATH + "?state")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["changed"]["lindenhaven"] == preview.notifier.version
    # a page knows its site and the version it was served from
    page = get(preview.port, "/lindenhaven/")[2]
    assert f'var site = "lindenhaven", served = {preview.notifier.version},' in page
    assert "var site = null," in get(preview.port, "/")[2]


def test_a_problem_list_that_changes_reloads_every_page_but_the_same_one_does_not(preview, project):
    page = project / "content" / "lindenhaven" / "over-de-gemeente.md"
    good = page.read_text(encoding="utf-8")
    page.write_text(good + "\nZie {{ site.bestaat_niet }}.\n", encoding="utf-8")
    try:
        assert not preview.rebuild()
        failed = preview.notifier.version
        assert preview.notifier.changed["*"] == failed
        assert not preview.rebuild()
        assert preview.notifier.version == failed
    finally:
        page.write_text(good, encoding="utf-8")
    assert preview.rebuild()
    assert preview.notifier.changed["*"] == preview.notifier.version > failed


def test_saving_a_file_rebuilds_only_that_page(preview, project):
    watcher = threading.Thread(target=preview.watch, daemon=True)
    watcher.start()
    time.sleep(0.5)  # the watcher is set up
    before = preview.notifier.version
    log = []
    with reporting(log.append):  # what the preview prints, from the watcher's thread too
        page = project / "content" / "lindenhaven" / "over-de-gemeente.md"
        good = page.read_text(encoding="utf-8")
        long_sentence = ("Wie in Lindenhaven woont en meedoet aan het panel krijgt elk jaar vier vragenlijsten "
                         "over de buurt, het afval, de straten en de plannen van de gemeente.")  # 27 words
        page.write_text(good.replace("rivier.", "brede rivier.") + "\n" + long_sentence + "\n", encoding="utf-8")
        deadline = time.time() + 15
        while preview.notifier.version == before and time.time() < deadline:
            time.sleep(0.05)
        assert preview.notifier.version != before, "no rebuild after the change"
        assert "brede rivier" in get(preview.port, "/lindenhaven/over-de-gemeente/")[2]
        assert any("over-de-gemeente.md" in line and "(1 file rendered)" in line for line in log), log
        # the author sees the B1 warnings of the file just saved, in the terminal
        while not any("warning:" in line for line in log) and time.time() < deadline:
            time.sleep(0.05)
        assert [line for line in log if "warning:" in line] == [
            '  warning: content/lindenhaven/over-de-gemeente.md:7: sentence of 27 words (B1: at most 20): '
            '"Wie in Lindenhaven woont en meedoet aan het …"']
        # … and on the preview page made from it, at the top of <main>; other pages get no notes
        body = get(preview.port, "/lindenhaven/over-de-gemeente/")[2]
        main = body[body.index("<main"):]
        assert main.index('<details class="panelsite-preview-notes"') < main.index("<h1")
        assert ("<summary>1 readability warning (B1) in content/lindenhaven/over-de-gemeente.md — shown in the preview only"
                "</summary><ul><li>Line 7: sentence of 27 words (B1: at most 20): &quot;Wie in Lindenhaven woont") in body
        assert "panelsite-preview-notes" not in get(preview.port, "/lindenhaven/contact/")[2]
        built = (preview.out / "lindenhaven" / "over-de-gemeente" / "index.html").read_text(encoding="utf-8")
        assert "panelsite-preview-notes" not in built, "the notes are the preview's, never in the built file"
        preview.stop()  # the watcher; the module's last test that uses the preview
        page.write_text(good, encoding="utf-8")


def test_the_serve_command_runs_the_collector_and_stops_it(small_project):
    """End to end: ``python build.py serve`` builds, serves, starts the collector, stops on SIGTERM."""
    port, collector_port = free_port(), free_port()
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--root", str(small_project),
                                "--port", str(port), "--collector-port", str(collector_port), "--jobs", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 60
        status = None
        while time.time() < deadline and process.poll() is None:
            try:
                status, _, body = get(port, "/lindenhaven/")
                if status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert status == 200, process.stdout.read() if process.poll() is not None else "no answer"
        assert f"http://127.0.0.1:{port}/lindenhaven/" in body
        for _ in range(50):  # the collector answers too
            try:
                socket.create_connection(("127.0.0.1", collector_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the collector does not listen")
        assert not (small_project / "dist").exists(), "serve must not write into dist/"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    assert process.returncode == 0, output
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", collector_port), timeout=1).close()
    assert "Serving 1 site at" in output


def test_the_first_build_notes_every_text_with_readability_warnings(small_project):
    page = small_project / "content" / "lindenhaven" / "over-de-gemeente.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nWie in Lindenhaven woont en meedoet aan het panel krijgt "
                    "elk jaar vier vragenlijsten over de buurt, het afval, de straten en de plannen van de gemeente.\n",
                    encoding="utf-8")
    log: list[str] = []
    state = serve.Preview(replace(options(small_project), out=small_project / serve.PREVIEW_DIR))
    with reporting(log.append):
        assert state.rebuild(first=True), state.problems
        state.readability()
    assert log[-1] == "Readability: 1 B1 warning (shown on the preview pages; python build.py readability lists them)"
    source, warnings = state.notes_for("lindenhaven", "over-de-gemeente/index.html")
    assert source == "content/lindenhaven/over-de-gemeente.md"
    assert [line for line, _ in warnings] == [7]
    assert state.notes_for("lindenhaven", "contact/index.html") is None
