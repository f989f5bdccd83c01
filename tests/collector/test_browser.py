"""A real browser (Chromium) signs up on the built site, with and without JavaScript, and confirms by the e-mailed link.

The site is built by the real pipeline (``build.py --collector-url …``) from the
shared content and served on loopback; the collector runs in the same process
on another port, as in the local preview.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
from playwright import sync_api as playwright

from panelsite.cli import main as build_main
from panelsite.collector.app import create_app

from .helpers import SECRET, free_port, make_project, serve_app

CHROMIUM = Path("/usr/bin/chromium")


def build_site(project: Path, out: Path, collector_url: str) -> Path:
    code = build_main(["build", "--root", str(project), "--out", str(out), "--only", "lindenhaven",
                       "--collector-url", collector_url, "--jobs", "1"])
    assert code == 0
    return out / "lindenhaven"


@pytest.fixture
def site(tmp_path):
    site_port, collector_port = free_port(), free_port()
    base = f"http://127.0.0.1:{site_port}/"
    project = make_project(tmp_path / "project", base)
    mail_dir = tmp_path / "mail"
    app = create_app(project, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", secret=SECRET, mail_dir=mail_dir,
                     min_seconds=0, rate_limit=(1000, 60), public_url=f"http://127.0.0.1:{collector_port}/")
    with serve_app(app, collector_port) as collector_url:
        out = build_site(project, tmp_path / "dist", collector_url + "/")
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
        handler.log_message = lambda *a: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield {"base": base, "mail_dir": mail_dir, "storage": app.state.collector.storage}
        finally:
            server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


def fill_signup(page, email: str) -> None:
    page.get_by_label("Uw naam").fill("Jan Jansen")
    page.get_by_label("Uw e-mailadres").fill(email)
    page.get_by_label("Uw geboortejaar").fill("1970")
    page.get_by_label("Man", exact=True).check()
    page.get_by_label("Havenkwartier").check()
    page.locator("#f-toestemming").check()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_sign_up_and_confirm_in_a_browser(site, browser, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    # The collector's pages (error page, confirmation) load the site's CSS, logo and forms.js
    # under its Content-Security-Policy: a blocked file shows as a console error.
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(site["base"] + "doe-mee/")
    if javascript:  # client-side validation first: the summary gets focus and links to the field
        page.get_by_role("button", name="Aanmelden").click()
        summary = page.locator("[data-pf-summary]")
        summary.wait_for(state="visible")
        assert page.evaluate("document.activeElement.hasAttribute('data-pf-summary')")
        assert "Vul uw naam in" in summary.inner_text()
        assert page.title().startswith("Fout: ")
        page.wait_for_function("document.querySelector('input[name=_ts]').value !== ''")
    else:  # the collector's error page, in house style, with what was typed
        page.get_by_label("Uw naam").fill("Jan Jansen")
        page.get_by_role("button", name="Aanmelden").click()
        page.wait_for_url(re.compile(r".*/fout/.*"))
        assert "Vul uw e-mailadres in" in page.locator(".pf-error-summary").inner_text()
        assert page.get_by_label("Uw naam").input_value() == "Jan Jansen"
    fill_signup(page, f"jan-{javascript}@example.nl")
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(site["base"] + "bedankt/aanmelden/")
    assert "Bevestig uw aanmelding" in page.locator("h1").inner_text()

    mail = sorted(site["mail_dir"].glob("*.eml"))[-1].read_text()
    link = re.search(r"(http://\S+/bevestigen\?t=\S+)", mail).group(1)
    page.goto(link)
    page.get_by_role("button", name="Ja, ik doe mee").click()
    page.wait_for_url(site["base"] + "bedankt/bevestigd/")
    assert "Welkom bij het panel" in page.locator("h1").inner_text()
    with site["storage"].transaction() as tx:
        assert tx.one("SELECT COUNT(*) FROM members WHERE confirmed IS NOT NULL")[0] == 1
    assert blocked == []
    context.close()
