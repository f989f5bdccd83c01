"""Panel round benchmark: queueing invitations, and sending them to a local SMTP server.

    python bench/bench_round.py [--members 10000] [--send 1000] [--pg-url postgresql:///panelsite_test]

1. Queueing: what ``mail invitations`` does before it sends (the recipients query and one
   outbox row per member, one transaction) for ``--members`` confirmed members. Anchor, in the
   same run and database: a bare ``executemany`` INSERT of as many rows into a table without
   indexes or constraints. Target: 10,000 invitations in under 5 s.
2. Sending: the outbox sender (claim, render the invitation template, hand-over, the final dot,
   the outcome; no rate limit) to aiosmtpd in its own process (the Sink handler). Anchor:
   smtplib's ``sendmail`` of the same messages, pre-rendered, over one connection to the same
   server: the most a Python client gets from this server. Target: 100 messages/s or more.

SQLite always; PostgreSQL too when a URL is given or PANELSITE_TEST_PG_URL is set (a fresh
schema, dropped afterwards). Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-secret-0123456789abcdef"
SURVEY = """\
title: Benchmarkronde
theme: afval
fieldwork: {start: 2026-01-05, end: 2099-12-31}
invited: 10000
publish_on: 2100-01-15
collect: true
questions:
  - id: q1
    text: Staat er een container in uw straat?
    type: single
    options: {1: Ja, 2: Nee}
"""


def project(tmp: Path) -> Path:
    (tmp / "municipalities").mkdir(parents=True)
    shutil.copytree(ROOT / "municipalities" / "assets", tmp / "municipalities" / "assets")
    shutil.copy(ROOT / "municipalities" / "lindenhaven.yaml", tmp / "municipalities" / "lindenhaven.yaml")
    (tmp / "themes").symlink_to(ROOT / "themes")
    (tmp / "content" / "lindenhaven" / "surveys" / "ronde").mkdir(parents=True)
    (tmp / "content" / "_shared").symlink_to(ROOT / "content" / "_shared")
    (tmp / "content" / "lindenhaven" / "surveys" / "ronde" / "survey.yaml").write_text(SURVEY, encoding="utf-8")
    return tmp


def add_members(storage, n: int) -> None:
    """Confirmed members straight into the tables (setup, not measured)."""
    now = time.time()
    ids = [uuid.uuid4().hex for _ in range(n)]
    with storage.transaction() as tx:
        sql = "INSERT INTO members (member_id, slug, profile, consent_version, created, confirmed) VALUES (?, ?, ?, ?, ?, ?)"
        tx.cursor.executemany(sql.replace("?", tx.placeholder),
                              [(m, "lindenhaven", "{}", "v1", now, now) for m in ids])
        sql = "INSERT INTO contacts (member_id, slug, email, name, created) VALUES (?, ?, ?, ?, ?)"
        tx.cursor.executemany(sql.replace("?", tx.placeholder),
                              [(m, "lindenhaven", f"lid{i}@example.nl", f"Lid {i}", now) for i, m in enumerate(ids)])


def bench_queue(storage, n: int) -> tuple[float, float]:
    from panelsite.collector.storage import INVITATION

    with storage.transaction() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS bench_anchor (id TEXT, slug TEXT, kind TEXT, mailing TEXT, member_id TEXT, "
                   "dedupe TEXT, status TEXT, due DOUBLE PRECISION, created DOUBLE PRECISION)")
    started = time.perf_counter()
    with storage.transaction() as tx:
        rows = [(uuid.uuid4().hex, "lindenhaven", INVITATION, "ronde", f"m{i}", f"k{i}", "queued", 0.0, 0.0)
                for i in range(n)]
        tx.cursor.executemany("INSERT INTO bench_anchor VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)".replace("?", tx.placeholder),
                              rows)
    anchor = time.perf_counter() - started
    started = time.perf_counter()
    members, _ = storage.mailing_recipients("lindenhaven", INVITATION, "ronde")
    added = storage.queue_mailing("lindenhaven", INVITATION, "ronde", members, time.time())
    queued = time.perf_counter() - started
    assert added == n, (added, n)
    return queued, anchor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_process(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("aiosmtpd did not start")


def bench_send(storage, root: Path, port: int, n: int, connections: int) -> tuple[float, float]:
    from panelsite.collector.letters import Letters
    from panelsite.collector.mail import SMTPSettings, SMTPTransport
    from panelsite.collector.security import Tokens
    from panelsite.collector.sender import Sender
    from panelsite.collector.sites import load_sites
    from panelsite.collector.storage import INVITATION
    from panelsite.collector.storage.outbox import Item
    from panelsite.collector.urls import Urls

    sites = load_sites(root)
    letters = Letters(sites, Tokens(SECRET), Urls("https://collector.lindenhaven.nl/", [], None), storage)
    # Anchor: the same kind of message, rendered beforehand, by smtplib over one connection.
    samples = [letters.compose(Item(uuid.uuid4().hex, "lindenhaven", INVITATION, "ronde", f"m{i}", None, 1, 0.0,
                                    f"anker{i}@example.nl", "Lid", True)) for i in range(n)]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for outgoing in samples:
            smtp.sendmail(outgoing.sender, [outgoing.recipient], outgoing.data())
    anchor = time.perf_counter() - started

    # The next n queued rows (queued by bench_queue) go; the rest wait.
    with storage.transaction() as tx:
        tx.execute("UPDATE outbox SET due = ? WHERE kind = ? AND status = 'queued'", (time.time() + 86400, INVITATION))
        tx.execute("UPDATE outbox SET due = 0 WHERE id IN (SELECT id FROM outbox WHERE kind = ? AND status = 'queued' "
                   "ORDER BY id LIMIT ?)", (INVITATION, n))
    before = storage.mailing_counts("lindenhaven", INVITATION, "ronde")["sent"]
    sender = Sender(storage, letters, SMTPTransport(SMTPSettings(host="127.0.0.1", port=port, starttls=False)),
                    scope=("lindenhaven", INVITATION, "ronde"))
    started = time.perf_counter()
    sender.drain(connections)
    seconds = time.perf_counter() - started
    sent = storage.mailing_counts("lindenhaven", INVITATION, "ronde")["sent"] - before
    assert sent == n, (sent, n)
    return seconds, anchor


def run(kind: str, url: str, root: Path, members: int, send: int, port: int) -> None:
    from panelsite.collector.storage import open_storage

    storage = open_storage(url, root)
    try:
        add_members(storage, members)
        queued, anchor = bench_queue(storage, members)
        print(f"{kind:<10} queue {members} invitations: {queued:6.2f} s (target < 5 s; {members / queued:8.0f} rows/s)   "
              f"anchor bare INSERT: {anchor:6.2f} s   ratio {queued / anchor:5.1f}x")
        for connections in (1, 4):
            seconds, anchor = bench_send(storage, root, port, send, connections)
            rate, ceiling = send / seconds, send / anchor
            print(f"{kind:<10} send {send} to aiosmtpd over {connections} connection(s): {rate:5.0f} msg/s "
                  f"(target >= 100)   anchor smtplib sendmail, 1 connection: {ceiling:5.0f} msg/s   "
                  f"ratio {rate / ceiling:5.2f}")
    finally:
        storage.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10000)
    parser.add_argument("--send", type=int, default=1000)
    parser.add_argument("--pg-url", default=os.environ.get("PANELSITE_TEST_PG_URL"))
    opts = parser.parse_args()
    port = free_port()
    smtp = smtp_process(port)
    tmp = Path(tempfile.mkdtemp(prefix="bench-round-"))
    try:
        root = project(tmp / "project")
        run("sqlite", f"sqlite:///{tmp / 'round.sqlite3'}", root, opts.members, opts.send, port)
        if opts.pg_url:
            import psycopg

            schema = "bench_" + uuid.uuid4().hex[:10]
            with psycopg.connect(opts.pg_url, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            sep = "&" if "?" in opts.pg_url else "?"
            try:
                run("postgresql", f"{opts.pg_url}{sep}options=-csearch_path%3D{schema}", root, opts.members,
                    opts.send, port)
            finally:
                with psycopg.connect(opts.pg_url, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        smtp.terminate()
        smtp.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
