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
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 100
publish_on: 2026-04-15
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
    """Run an ASGI app with uvicorn in a thread on 127.0.0.1; yields its base URL."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
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
