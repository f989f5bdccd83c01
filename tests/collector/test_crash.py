"""Kill the collector with SIGKILL while a client submits; every acknowledged submission
is in the database after a restart, and none is stored twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pytest

from panelsite.collector.storage import open_storage

from .conftest import ORIGIN, SITE
from .helpers import ROOT, SECRET, database, free_port, make_project


def start(project, port, database_url, *extra: str):
    code = ("import sys; from panelsite.cli import main; "
            f"sys.exit(main(['--root', {str(project)!r}, 'collect', '--port', '{port}', '--database-url', "
            f"{database_url!r}, '--rate-limit', '1000000/60', '--min-seconds', '0', "
            f"'--public-url', 'http://127.0.0.1:{port}/', *{list(extra)!r}]))")
    env = {**os.environ, "PANELSITE_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("collector did not start")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_acknowledged_submissions_survive_sigkill(tmp_path, kind):
    with database(kind, tmp_path) as url:
        project = make_project(tmp_path / "project", SITE)
        port = free_port()
        proc = start(project, port, url)
        acked: set[str] = set()
        lock = threading.Lock()
        stop = threading.Event()

        def client():
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Origin": ORIGIN, "Accept": "application/json"},
                              timeout=5) as c:
                while not stop.is_set():
                    key = str(uuid.uuid4())
                    data = {"naam": "Test", "email": "t@example.nl", "bericht": "Hallo", "_key": key}
                    for _attempt in range(200):  # retry the same key until acknowledged
                        if stop.is_set():
                            return
                        try:
                            r = c.post("/lindenhaven/contact", data=data)
                        except httpx.HTTPError:
                            time.sleep(0.05)
                            continue
                        if r.status_code == 200 and r.json().get("ok"):
                            with lock:
                                acked.add(key)
                            break

        threads = [threading.Thread(target=client) for _ in range(8)]
        [t.start() for t in threads]
        try:
            for _ in range(2):  # two crashes
                time.sleep(2.5)
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                proc = start(project, port, url)
            time.sleep(2.5)
        finally:
            stop.set()
            [t.join() for t in threads]
            proc.kill()
            proc.wait()
        storage = open_storage(url, project)
        try:
            stored = storage.submission_keys("lindenhaven", "contact")
            assert len(acked) > 500, f"only {len(acked)} submissions were acknowledged"
            assert acked <= set(stored), f"{len(acked - set(stored))} acknowledged submissions are missing"
            assert len(stored) == len(set(stored)) == storage.count("messages")  # none twice
        finally:
            storage.close()
