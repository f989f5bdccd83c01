"""Collector benchmark: sustained submissions per second and p50/p99 latency.

    python bench/bench_collector.py [--seconds 10] [--concurrency 32] [--pg-url postgresql:///panelsite_test]

Runs the collector (one uvicorn process) with SQLite, with PostgreSQL (when a URL
is given or PANELSITE_TEST_PG_URL is set) and, as the ceiling, a bare Starlette app
that does nothing, under the same load: the demo's questionnaire
(Lindenhaven, mobiliteit-2026, every question type) answered with a fresh
submission key each time, asking for a JSON answer — the collector's busiest
path during a panel round. Prints figures; asserts nothing.

The load comes from wrk (Debian package ``wrk``, which scripts/install.sh installs): a
client written in C leaves the two cores to the server, where a Python client would take
half of them and measure itself. Without wrk an async httpx client is used.

With wrk it also reads the server process's CPU time (/proc/<pid>/stat) around each run
and prints the server CPU per request, and each collector's ratios against the bare
Starlette + uvicorn handler measured in the same run (targets: CPU per request at most 2×,
requests per second at least 0.5×, p99 at most 3×).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from urllib.parse import urlencode
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-0123456789abcdef"
ORIGIN = "https://panel.lindenhaven.nl"
FORM = "/lindenhaven/vragenlijst-mobiliteit-2026"
ANSWERS = [("geboortejaar", "1968"), ("geslacht", "vrouw"), ("wijk", "Havenkwartier"), ("q1", "2"), ("q2", "4"),
           ("q3", "1"), ("q3", "3"), ("q4", "1"), ("q5", "7"), ("q6", "85,5"),
           ("q7", "Meer fietsenstallingen bij het station.")]


def serve(kind: str, port: int, root: Path, database_url: str | None) -> None:
    import uvicorn

    if kind == "bare":
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def ok(request):
            await request.body()
            return JSONResponse({"ok": True})

        app = Starlette(routes=[Route("/{slug}/{form}", ok, methods=["POST"]), Route("/healthz", ok)])
        # The same server as the collector's: uvicorn with httptools and the same event loop
        # (uvloop where installed), one worker, no access log; only the slow-client guard is not there.
        uvicorn.run(app, host="127.0.0.1", port=port, http="httptools", loop="auto", log_config=None,
                    access_log=False, proxy_headers=False)
    else:
        from panelsite.collector.app import create_app

        from panelsite.collector import server

        app = create_app(root, database_url=database_url, secret=SECRET, min_seconds=0, rate_limit=(10**9, 60))
        server.run(app, "127.0.0.1", port)  # as `collect` serves it


def start(kind: str, root: Path, database_url: str | None) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, __file__, "--serve", kind, "--port", str(port), "--root", str(root)]
    if database_url:
        args += ["--database-url", database_url]
    proc = subprocess.Popen(args, env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(url + "/healthz", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{kind}: server did not start")


async def load(url: str, seconds: float, concurrency: int) -> tuple[int, int, list[float]]:
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10,
                                 headers={"Origin": ORIGIN, "Accept": "application/json"}) as client:
        end = time.perf_counter() + seconds

        async def worker():
            nonlocal failures
            while time.perf_counter() < end:
                data = [*ANSWERS, ("_key", str(uuid.uuid4()))]
                t0 = time.perf_counter()
                try:
                    r = await client.post(FORM, content=urlencode(data),
                                          headers={"Content-Type": "application/x-www-form-urlencoded"})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                failures += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return int(len(latencies) / elapsed), failures, latencies


WRK_SCRIPT = """
counter = 0
math.randomseed(os.time())
RATE_DELAY
request = function()
  counter = counter + 1
  local key = string.format("%08x-%d-%d", math.random(0, 0x7fffffff), os.time(), counter)
  local body = "BODY&_key=" .. key
  return wrk.format("POST", "/lindenhaven/vragenlijst-mobiliteit-2026", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = "ORIGIN", ["Accept"] = "application/json"}, body)
end
"""


def load_wrk(url: str, seconds: float, concurrency: int, rate: int | None = None,
             pause_ms: float | None = None) -> tuple[int, int, float, float, int]:
    """(requests/s, failed, p50 ms, p99 ms, requests) measured by wrk.

    Without ``rate`` every connection sends its next request as soon as the answer
    is in (the most the server can take); with ``rate`` each connection waits so
    the total is about ``rate`` per second (latency at a steady load).
    """
    import re

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        if rate and pause_ms is None:
            # wrk waits ``pause`` after each answer, so a cycle is pause + latency:
            # a short first run measures the latency and the pause is set to match.
            first = concurrency * 1000 / rate
            got = load_wrk(url, 3, concurrency, rate, first)[0]
            pause_ms = max(0.0, first - (concurrency * 1000 / max(got, 1) - first))
        pause = f"delay = function() return {pause_ms:.1f} end" if rate else ""
        f.write(WRK_SCRIPT.replace("ORIGIN", ORIGIN).replace("BODY", urlencode(ANSWERS)).replace("RATE_DELAY", pause))
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:.0f}s", "--latency", "-s", f.name, url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return int(rate), failed, ms("50"), ms("99"), requests


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system, waited-for children included) of a running process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def report(name: str, rate: int, failures: int, latencies: list[float]) -> None:
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<28} {rate:>7}/s   p50 {q[49] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms   "
          f"({len(latencies)} requests, {failures} failed)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=int, default=500, help="the steady load for the latency run (wrk)")
    parser.add_argument("--client", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--pg-url", default=os.environ.get("PANELSITE_TEST_PG_URL"))
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.serve:
        serve(opts.serve, opts.port, opts.root, opts.database_url)
        return

    tmp = Path(tempfile.mkdtemp(prefix="panelsite-bench-"))
    try:
        runs = [("bare uvicorn (ceiling)", "bare", None), ("collector, SQLite", "collector", f"sqlite:///{tmp / 'bench.sqlite3'}")]
        if opts.pg_url:
            import psycopg

            schema = "bench_" + uuid.uuid4().hex[:8]
            with psycopg.connect(opts.pg_url, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            sep = "&" if "?" in opts.pg_url else "?"
            runs.append(("collector, PostgreSQL", "collector", f"{opts.pg_url}{sep}options=-csearch_path%3D{schema}"))
        import importlib.util

        import uvicorn

        loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
        print(f"{opts.seconds:.0f} s per run, {opts.concurrency} concurrent clients ({opts.client}), the same server "
              f"for all: uvicorn {uvicorn.__version__}, httptools, {loop}, 1 worker; {os.cpu_count()} CPUs", flush=True)
        saturated = {}  # name → (requests/s, p99 ms, server CPU ms per request), wrk without a rate
        for name, kind, url in runs:
            proc, base = start(kind, ROOT, url)
            try:
                asyncio.run(load(base, 1.0, opts.concurrency))  # warm-up
                if opts.client == "wrk":
                    for label, target in ((name, None), (f"{name} at {opts.rate}/s", opts.rate)):
                        if target and kind == "bare":
                            continue
                        cpu_before = server_cpu(proc.pid)
                        rate, failed, p50, p99, count = load_wrk(base, opts.seconds, opts.concurrency, target)
                        per_request = (server_cpu(proc.pid) - cpu_before) * 1000 / max(count, 1)
                        if target:  # the short run that sets the pause is in the CPU too: not per request
                            print(f"{label:<36} {rate:>7}/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
                                  f"({count} requests, {failed} failed)", flush=True)
                            continue
                        saturated[name] = (rate, p99, per_request)
                        print(f"{label:<36} {rate:>7}/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
                              f"server CPU {per_request:.3f} ms/request   ({count} requests, {failed} failed)",
                              flush=True)
                else:
                    report(name, *asyncio.run(load(base, opts.seconds, opts.concurrency)))
            finally:
                proc.terminate()
                proc.wait()
        if saturated:
            bare_rate, bare_p99, bare_cpu = saturated[runs[0][0]]
            print(f"\nagainst the bare Starlette + uvicorn handler (same run; targets: CPU ≤ 2×, rate ≥ 0.5×, p99 ≤ 3×)")
            for name, (rate, p99, cpu) in list(saturated.items())[1:]:
                print(f"{name:<28} CPU per request {cpu / bare_cpu:.2f}×   requests/s {rate / bare_rate:.2f}×   "
                      f"p99 {p99 / bare_p99:.2f}×")
        if opts.pg_url:
            with psycopg.connect(opts.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
