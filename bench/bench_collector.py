"""Collector benchmark: sustained submissions per second and p50/p99 latency.

    python bench/bench_collector.py [--seconds 10] [--concurrency 32] [--pg-url postgresql:///panelsite_test]

Runs the collector (one uvicorn process) with SQLite, with PostgreSQL (when a URL
is given or PANELSITE_TEST_PG_URL is set) and, as the ceiling, a bare Starlette app
that does nothing, under the same load: an async httpx client posting the contact
form with JSON answers. Prints figures; asserts nothing.
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
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-0123456789abcdef"
ORIGIN = "https://panel.lindenhaven.nl"


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
    else:
        from panelsite.collector import create_app

        app = create_app(root, database_url=database_url, secret=SECRET, min_seconds=0, rate_limit=(10**9, 60))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


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
                data = {"naam": "Bench", "email": "bench@example.nl", "bericht": "Een bericht van de benchmark.",
                        "_key": str(uuid.uuid4())}
                t0 = time.perf_counter()
                try:
                    r = await client.post("/lindenhaven/contact", data=data)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                failures += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return int(len(latencies) / elapsed), failures, latencies


def report(name: str, rate: int, failures: int, latencies: list[float]) -> None:
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<28} {rate:>7}/s   p50 {q[49] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms   "
          f"({len(latencies)} requests, {failures} failed)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
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
        print(f"{opts.seconds:.0f} s per run, {opts.concurrency} concurrent clients, 1 uvicorn worker, "
              f"{os.cpu_count()} CPUs", flush=True)
        for name, kind, url in runs:
            proc, base = start(kind, ROOT, url)
            try:
                asyncio.run(load(base, 1.0, opts.concurrency))  # warm-up
                report(name, *asyncio.run(load(base, opts.seconds, opts.concurrency)))
            finally:
                proc.terminate()
                proc.wait()
        if opts.pg_url:
            with psycopg.connect(opts.pg_url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
