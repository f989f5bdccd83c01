"""Real destinations for the deploy tests, each on a free port of 127.0.0.1 and stopped after the
session: an S3-compatible server (moto in server mode, whose access log tells the order of the
requests it answered) and an rsync daemon (whose transfer log does the same).

``site_copy`` is a copy of the demo's built Lindenhaven site that a test may change as a new
build would; ``deploy(...)`` runs ``python build.py deploy`` as CI does.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail(f"server did not listen on port {port} within {timeout} s:\n{log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def deploy(*args: str, env: dict | None = None, cwd: Path = REPO, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "deploy", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300, **kw)


@pytest.fixture
def site_copy(built_demo, tmp_path) -> Path:
    """dist/ with a copy of the built Lindenhaven site (returns dist/)."""
    dist = tmp_path / "dist"
    shutil.copytree(built_demo / "lindenhaven", dist / "lindenhaven")
    return dist


# -- S3 ----------------------------------------------------------------------------------------

@dataclass
class S3Server:
    url: str
    log: Path  # the server's access log: one line per request, in the order the answers went out
    _since: int = 0

    def env(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL": self.url, "AWS_ACCESS_KEY_ID": "panelsite-test",
                "AWS_SECRET_ACCESS_KEY": "panelsite-test-secret", "AWS_DEFAULT_REGION": "eu-west-1"}

    def client(self):
        import boto3

        e = self.env()
        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=e["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=e["AWS_SECRET_ACCESS_KEY"], region_name=e["AWS_DEFAULT_REGION"])

    def new_bucket(self) -> str:
        name = f"panels-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        return name

    def _lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def record(self) -> None:
        """From now on :meth:`requests` tells the requests the server answers."""
        self._since = len(self._lines())

    def requests(self) -> list[tuple[str, str]]:
        """(method, path without the query) of every request answered since :meth:`record`, in order."""
        import time
        import urllib.request
        from urllib.parse import unquote, urlsplit

        # A line is written just after its answer went out: ask once more and wait for that line.
        mark = uuid.uuid4().hex
        urllib.request.urlopen(f"{self.url}/moto-api/?mark={mark}", timeout=10).close()
        deadline = time.monotonic() + 10
        while not any(mark in line for line in self._lines()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # the threads that answered the deploy's last requests
        found = []
        for line in self._lines()[self._since:]:
            match = _ACCESS.search(re.sub(r"\x1b\[[0-9;]*m", "", line))  # werkzeug colours some lines
            if match:
                found.append((match.group(1), unquote(urlsplit(match.group(2)).path)))
        return found


_ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" \d{3}')


def start_moto(folder: Path, **env: str):
    """moto's S3-compatible server in a process of its own; returns (process, S3Server)."""
    port = free_port()
    log = folder / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], cwd=folder,
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env})
    wait_for_port(port, proc, log)
    return proc, S3Server(f"http://127.0.0.1:{port}", log)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> S3Server:
    proc, server = start_moto(tmp_path_factory.mktemp("moto"))
    try:
        yield server
    finally:
        stop(proc)


# -- rsync -------------------------------------------------------------------------------------

@dataclass
class RsyncDaemon:
    url: str  # rsync://127.0.0.1:port/panels (rsync://127.0.0.1:port/refusing: the same folder, no "kapot/")
    root: Path  # the module's folder
    log: Path

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines() if self.log.exists() else []

    def transfers(self, since: int) -> list[tuple[str, str]]:
        """(operation, path) the daemon logged after line ``since``: "recv" for a file it got, "del." for a deletion."""
        found = []
        for line in self.log_lines()[since:]:
            if "] panelsite-op " in line:
                op, path = line.split("] panelsite-op ", 1)[1].split(" ", 1)
                found.append((op, path))
        return found


@pytest.fixture(scope="session")
def rsync_daemon(tmp_path_factory) -> RsyncDaemon:
    if shutil.which("rsync") is None:
        pytest.fail("rsync is not installed: bash scripts/install.sh installs it")
    folder = tmp_path_factory.mktemp("rsyncd")
    root = folder / "module"
    root.mkdir()
    port = free_port()
    log = folder / "rsyncd.log"
    config = folder / "rsyncd.conf"
    # as root, rsyncd would otherwise write as "nobody" into the test's folder
    who = "uid = root\ngid = root\n" if os.geteuid() == 0 else ""
    config.write_text(f"""\
use chroot = false
{who}pid file = {folder}/rsyncd.pid
log file = {log}
transfer logging = yes
log format = panelsite-op %o %n
[panels]
path = {root}
read only = false
[refusing]
# a server that takes no folder named "kapot" (as a full disk or a permission refuses some files)
path = {root}
read only = false
exclude = kapot/
""", encoding="utf-8")
    proc = subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--config={config}", f"--port={port}",
                             "--address=127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, log)
        yield RsyncDaemon(f"rsync://127.0.0.1:{port}/panels", root, log)
    finally:
        stop(proc)


@pytest.fixture
def fake_ssh(tmp_path) -> Path:
    """An ``ssh`` that runs the remote command on this machine: rsync's SSH mode without an sshd.

    rsync starts ``ssh [options] host rsync --server …`` and speaks its protocol over the pipe;
    this stands in for the network and the login only, the two rsyncs are the real ones.
    """
    script = tmp_path / "bin" / "ssh"
    script.parent.mkdir()
    script.write_text("""#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    -[bcDEeFIiJLlmOoPpQRSWw]) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
echo "$1" >> "$(dirname "$0")/hosts"
shift
exec sh -c "$*"
""", encoding="utf-8")
    script.chmod(0o755)
    return script
