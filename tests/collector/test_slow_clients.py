"""Slow clients are closed, and many of them do not stall anyone else (issue 17, item 8).

The collector runs as ``panelsite collect`` in its own process with the file-descriptor limit
of a default Linux login (1024), as on a server nobody tuned; the slow clients connect from
127.0.0.2, the resident from 127.0.0.1.
"""

from __future__ import annotations

import json
import resource
import socket
import threading
import time

import httpx
import pytest

from .helpers import collect_process

ORIGIN = "https://panel.lindenhaven.nl"
SLOW_CLIENTS = 1100


def _limit_files():
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


@pytest.fixture
def collector_process(tmp_path):
    with collect_process(tmp_path, "--rate-limit", "100000/60", preexec_fn=_limit_files) as (url, log):
        yield int(url.rsplit(":", 1)[1]), log


def _slow_connection(port: int) -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    s.sendall(b"POST /lindenhaven/contact HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and then a header line now and then
    return s


def _closed(s: socket.socket) -> bool:
    """Whether the server has closed the connection (read until EOF, or an error)."""
    try:
        while True:
            data = s.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def test_a_connection_that_sends_no_request_is_closed(collector_process):
    port, log = collector_process
    silent = socket.create_connection(("127.0.0.1", port), timeout=30)
    trickle = _slow_connection(port)
    stop = threading.Event()

    def drip():  # one header byte a second: each byte arrives well within any idle timeout
        while not stop.is_set():
            try:
                trickle.sendall(b"X")
            except OSError:
                return
            stop.wait(1)

    threading.Thread(target=drip, daemon=True).start()
    try:
        assert _closed(silent)
        assert _closed(trickle)
    finally:
        stop.set()
        silent.close()
        trickle.close()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    closed = [line for line in lines if line.get("event") == "slow_client_closed"]
    assert len(closed) == 2 and {line["waiting_for"] for line in closed} == {"request"}
    assert all("127.0.0" not in json.dumps(line) for line in closed)  # no addresses in the log


def test_1100_slow_connections_do_not_stall_a_resident(collector_process):
    port, log = collector_process
    stop = threading.Event()
    opened = [0]
    lock = threading.Lock()

    def attacker(count: int):
        held: list[socket.socket] = []
        while not stop.is_set():
            held = [s for s in held if s.fileno() != -1]
            while len(held) < count and not stop.is_set():
                try:
                    held.append(_slow_connection(port))
                    with lock:
                        opened[0] += 1
                except OSError:
                    time.sleep(0.05)
            for s in held:  # notice the ones the server closed, and open new ones in their place
                try:
                    data = s.recv(1, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    continue  # still open, still waiting for the rest of its request
                except OSError:
                    data = b""
                if not data:
                    s.close()
            stop.wait(0.5)
        for s in held:
            s.close()

    old = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(old[1], 8192), old[1]))  # the attackers need their own sockets
    threads = [threading.Thread(target=attacker, args=(SLOW_CLIENTS // 4,)) for _ in range(4)]
    [t.start() for t in threads]
    try:
        deadline = time.time() + 60
        while opened[0] < SLOW_CLIENTS and time.time() < deadline:  # all of them connected at least once
            time.sleep(0.1)
        answers = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Origin": ORIGIN, "Accept": "application/json"},
                          timeout=10) as resident:
            for n in range(20):
                r = resident.post("/lindenhaven/contact", data={"naam": "Anna", "email": "anna@example.nl",
                                                               "bericht": f"Bericht {n}", "_key": f"resident-{n:04d}"})
                answers.append(r.status_code)
                time.sleep(0.3)
    finally:
        stop.set()
        [t.join() for t in threads]
        resource.setrlimit(resource.RLIMIT_NOFILE, old)
    assert opened[0] >= SLOW_CLIENTS
    assert answers == [200] * 20
    assert log.stat().st_size < 5_000_000  # no traceback per refused connection (main's was 657 MB in three minutes)
    text = log.read_text()
    assert "Traceback" not in text and "out of system resource" not in text  # the cap stays below the files limit
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is one JSON record
    refusals = [line for line in lines if line.get("event") in ("slow_client_closed", "too_many_connections")]
    assert refusals and len(refusals) <= opened[0]  # at most one line per refused connection
