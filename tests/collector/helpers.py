"""Test helpers for the collector: a small project, a server on a free port, databases."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-0123456789abcdef"

SURVEY = """\
title: Proefvragenlijst
theme: afval
fieldwork: {start: 2026-03-02, end: 2099-12-31}  # open while the tests run (closing: test_round.py)
invited: 100
publish_on: 2100-01-15
collect: true
questions:
  - id: q1
    text: Staat er een container in uw straat?
    type: single
    options: {1: Ja, 2: Nee}
    missing: {9: Weet niet}
  - id: q2
    text: Hoe tevreden bent u over de container?
    type: scale
    filter: q1 == 1
    options: {1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}
    missing: {9: Weet niet}
  - id: q3
    text: Welk cijfer geeft u de afvalinzameling?
    type: grade
    missing: {99: Weet niet}
  - id: q4
    text: Welke soorten afval scheidt u?
    type: multi
    options: {1: Gft, 2: Papier, 3: Glas}
  - id: q5
    text: Hoeveel kilometer rijdt u naar de milieustraat?
    type: number
    unit: km
    missing: {999: Weet niet}
  - id: q6
    text: Wat wilt u nog kwijt?
    type: open
"""


def make_project(tmp: Path, base_url: str, forms_yaml: str = "", left_members_days: int | None = None) -> Path:
    """A project folder with Lindenhaven (at ``base_url``) and one survey with collect: true."""
    (tmp / "municipalities").mkdir(parents=True)
    shutil.copytree(ROOT / "municipalities" / "assets", tmp / "municipalities" / "assets")
    text = (ROOT / "municipalities" / "lindenhaven.yaml").read_text(encoding="utf-8")
    text = text.replace("base_url: https://panel.lindenhaven.nl/", f"base_url: {base_url}")
    if left_members_days is not None:
        assert "    answers_months: 60\n" in text
        text = text.replace("    answers_months: 60\n", f"    answers_months: 60\n    left_members_days: {left_members_days}\n")
    # This collector runs on loopback: links in its mails point at itself, not at the demo's public URL.
    text = re.sub(r"\ncollector:\n(?:[ \t]+.*\n|[ \t]*#.*\n)*", "\n", text)
    (tmp / "municipalities" / "lindenhaven.yaml").write_text(text + forms_yaml, encoding="utf-8")
    (tmp / "themes").symlink_to(ROOT / "themes")
    survey = tmp / "content" / "lindenhaven" / "surveys" / "proef-2026"
    survey.mkdir(parents=True)
    (tmp / "content" / "_shared").symlink_to(ROOT / "content" / "_shared")  # the site's menu
    (survey / "survey.yaml").write_text(SURVEY, encoding="utf-8")
    return tmp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(app, port: int | None = None):
    """Run the app with uvicorn, set up as ``collect`` does, in a thread on 127.0.0.1; yields its base URL."""
    import uvicorn

    from panelsite.collector import server as collector_server

    port = port or free_port()
    server = uvicorn.Server(collector_server.config(app, "127.0.0.1", port))  # as `collect` serves it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def pg_url_or_skip() -> str:
    url = os.environ.get("PANELSITE_TEST_PG_URL")
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("PANELSITE_TEST_PG_URL is not set: the PostgreSQL tests must run in CI (scripts/test.sh sets it)")
        pytest.skip("PANELSITE_TEST_PG_URL not set (PostgreSQL tests run in CI)")
    return url


@contextlib.contextmanager
def pg_schema(url: str):
    """A fresh PostgreSQL schema for one test; yields a database URL that uses it."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


@contextlib.contextmanager
def database(kind: str, tmp: Path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'collector.sqlite3'}"
    else:
        with pg_schema(pg_url_or_skip()) as url:
            yield url


class SMTPRecorder:
    """What a real SMTP server (aiosmtpd) was told: every RCPT TO and every delivered message."""

    def __init__(self):
        self.recipients: list[str] = []  # every RCPT TO, also of messages that never completed
        self.messages: list = []  # aiosmtpd envelopes: .mail_from, .rcpt_tos, .content (bytes)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.recipients.append(address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, seconds: float = 10) -> list:
        """The messages once ``count`` have arrived (the collector sends after its answer)."""
        deadline = time.time() + seconds
        while len(self.messages) < count and time.time() < deadline:
            time.sleep(0.02)
        return self.messages

    def parsed(self, index: int = -1):
        import email
        from email import policy

        return email.message_from_bytes(self.messages[index].content, policy=policy.default)


@contextlib.contextmanager
def smtp_server():
    """A real SMTP server on a free loopback port; yields (SMTPSettings for it, SMTPRecorder)."""
    from aiosmtpd.controller import Controller

    from panelsite.collector.mail import SMTPSettings

    recorder = SMTPRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SMTPSettings(host="127.0.0.1", port=port, starttls=False), recorder
    finally:
        controller.stop()


@contextlib.contextmanager
def collect_process(tmp: Path, *args: str, preexec_fn=None, env: dict | None = None):
    """``panelsite collect`` in its own process on a free port, as in production: yields
    ``(base URL, log file)`` once it answers /healthz; stopped (SIGTERM) afterwards."""
    import subprocess
    import sys

    import httpx

    project = make_project(tmp / "project", "https://panel.lindenhaven.nl/")
    port = free_port()
    log_path = tmp / "collector.log"
    command = [sys.executable, "-m", "panelsite", "--root", str(project), "collect", "--port", str(port),
               "--database-url", f"sqlite:///{tmp / 'db.sqlite3'}", "--public-url", f"http://127.0.0.1:{port}/",
               "--mail-dir", str(tmp / "mail"), "--min-seconds", "0", *args]
    environment = {**os.environ, "PANELSITE_SECRET": SECRET, "PYTHONPATH": str(ROOT), **(env or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=log, preexec_fn=preexec_fn)
        try:
            deadline = time.time() + 30
            while True:
                if process.poll() is not None or time.time() > deadline:
                    pytest.fail("the collector did not start: " + log_path.read_text())
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}", log_path
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
