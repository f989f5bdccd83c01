"""The README's two commands on a fresh copy with Debian's own python3, which is "externally
managed" (PEP 668): pip refuses to install into it, so scripts/install.sh makes a .venv.

The copy holds the files git tracks, as a fresh clone does, with their working-tree bytes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEBIAN_PYTHON = Path("/usr/bin/python3")


def fresh_copy(target: Path) -> Path:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_debian_python_is_externally_managed():
    """The premise of the venv: a plain pip install into Debian's python3 is refused."""
    assert DEBIAN_PYTHON.is_file(), "Debian's python3 is part of every Debian machine"
    marker = subprocess.run([str(DEBIAN_PYTHON), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert (Path(marker) / "EXTERNALLY-MANAGED").is_file()


def test_the_readme_commands_work_on_a_fresh_copy_with_debian_python(tmp_path):
    project = fresh_copy(tmp_path / "clone")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    env["PYTHON"] = str(DEBIAN_PYTHON)

    # The test command, on one small test file so this stays quick; it installs everything first.
    tests = subprocess.run(["bash", "scripts/test.sh", "-q", "-p", "no:cacheprovider", "tests/foundation/test_yamlfile.py"],
                           cwd=project, env=env, capture_output=True, text=True, timeout=1200)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout
    base = subprocess.run([str(project / ".venv" / "bin" / "python"), "-c", "import sys; print(sys.base_prefix)"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert base == "/usr", f"the venv was made from {base}, not from Debian's python3"

    # The demo command: the sites are served and the collector answers.
    port = free_port()
    collector_port = free_port()
    demo = subprocess.Popen(["bash", "scripts/demo.sh", "--port", str(port), "--collector-port", str(collector_port)],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        home = _get(f"http://127.0.0.1:{port}/lindenhaven/", deadline=time.monotonic() + 180, process=demo)
        assert "Lindenhaven" in home
        health = _get(f"http://127.0.0.1:{collector_port}/healthz", deadline=time.monotonic() + 60, process=demo)
        assert '"ok"' in health
    finally:
        with contextlib.suppress(ProcessLookupError):  # demo.sh stopped on its own: its output says why
            os.killpg(demo.pid, 15)
        demo.wait(timeout=30)


def _get(url: str, deadline: float, process: subprocess.Popen) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"demo.sh stopped with {process.returncode}: {process.stdout.read()[-3000:]}")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
