#!/usr/bin/env python3
"""Incremental build benchmark on a copy of the demo, and ``serve`` from saving a file to the reloaded page.

    python bench/bench_incremental.py [--jobs N] [--profile] [--no-link-check] [--no-serve] [--runs 5]

Copies municipalities/, content/ and themes/ to a temporary folder and times:
a full build, a rebuild without changes, and the rebuild after editing one
Markdown page and one factsheet.md. Each is timed twice over: as ``python
build.py`` runs it (a process pool when there are several sites) and in one warm
process with jobs=1 (as ``serve`` rebuilds). Then (unless ``--no-serve``) it starts
``build.py serve`` on the copy, listens to its live-reload stream as an open page does,
saves one Markdown page ``--runs`` times and times each save until the page served
again shows the new text (the median). ``--profile`` prints the top of a cProfile of
the warm no-change rebuild.

Every figure is printed with its ratio to its target (issue 20, item 2): a rebuild
after one edit at most 0.6 s, from saving a file to the reloaded page at most 0.3 s.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from panelsite.engine import pipeline  # noqa: E402

TARGET_REBUILD = 0.5  # nothing changed
TARGET_EDIT = 0.6  # one Markdown edit
TARGET_SERVE = 0.3  # in serve: from saving a file to the reloaded page


def copy_demo(root: Path) -> None:
    for folder in ("municipalities", "content", "themes"):
        shutil.copytree(REPO / folder, root / folder)


def timed(label: str, options: pipeline.Options, rows: list) -> None:
    cpu = time.process_time()
    children = os.times().children_user + os.times().children_system
    started = time.perf_counter()
    results = pipeline.build(options)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu + (os.times().children_user + os.times().children_system - children)
    rendered = sum(r.rendered for r in results)
    rows.append((label, wall, cpu, rendered, sum(r.files for r in results)))


def edit(root: Path) -> tuple[str, str]:
    page = root / "content" / "lindenhaven" / "over-de-gemeente.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEen extra zin.\n", encoding="utf-8")
    factsheet = root / "content" / "lindenhaven" / "surveys" / "afval-2026" / "factsheet.md"
    factsheet.write_text(factsheet.read_text(encoding="utf-8") + "\nNog een extra zin.\n", encoding="utf-8")
    return page.relative_to(root).as_posix(), factsheet.relative_to(root).as_posix()


def ok(met: bool) -> str:
    return "[ok]" if met else "[MISSED]"


SERVE_PAGE = "content/lindenhaven/nieuws.md"


def serve_reload(root: Path, runs: int) -> list[float]:
    """Seconds from saving SERVE_PAGE to its page served again with the new text, ``runs`` times.

    Starts ``build.py serve`` (no collector, no CMS) on ``root``, reads its live-reload stream
    as an open page's script does, and after each save waits for the "change" event, then asks
    for the page as the reloading browser does.
    """
    import http.client
    import queue
    import socket
    import subprocess
    import threading
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--root", str(root),
                               "--port", str(port), "--no-collector", "--no-cms", "--only", "lindenhaven"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        page_url = None
        deadline = time.time() + 180
        while time.time() < deadline and page_url is None:
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as response:
                    index = response.read().decode()
                page_url = base + "/lindenhaven/nieuws/" if "lindenhaven" in index else None
            except OSError:
                time.sleep(0.2)
        if page_url is None:
            print("serve did not start within 180 s", file=sys.stderr)
            return []
        events: queue.Queue = queue.Queue()

        def listen() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            connection.request("GET", "/__panelsite/livereload")
            stream = connection.getresponse()
            for line in stream:
                if line.startswith(b"event: change"):
                    events.put(time.perf_counter())

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(1.0)
        page = root / SERVE_PAGE
        original = page.read_text(encoding="utf-8")
        times = []
        for i in range(runs):
            while not events.empty():
                events.get()
            marker = f"Een zin die er in serve bij kwam ({i})."
            started = time.perf_counter()
            page.write_text(original + f"\n{marker}\n", encoding="utf-8")
            try:
                events.get(timeout=30)
            except queue.Empty:
                print(f"no reload within 30 s of save {i}", file=sys.stderr)
                continue
            with urllib.request.urlopen(page_url, timeout=10) as response:
                shown = marker in response.read().decode()
            if shown:
                times.append(time.perf_counter() - started)
            time.sleep(0.5)  # the next save is a new edit, not part of this one's batch
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=0, help="processes for the pool runs (default: cores)")
    parser.add_argument("--profile", action="store_true", help="profile the warm no-change rebuild")
    parser.add_argument("--no-serve", action="store_true", help="leave out the serve measurement")
    parser.add_argument("--runs", type=int, default=5, help="saves timed in serve (default: 5)")
    parser.add_argument("--no-link-check", action="store_true",
                        help="skip the internal link check (while the demo has known broken links)")
    args = parser.parse_args()
    if args.no_link_check:
        pipeline.check_links = lambda *a, **k: None
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1798761600")
    rows: list = []
    with tempfile.TemporaryDirectory(prefix="panelsite-bench-") as tmp:
        root = Path(tmp)
        copy_demo(root)
        pool = pipeline.Options(root=root, out=root / "dist", jobs=args.jobs, progress=False)
        warm = replace(pool, out=root / "dist-warm", jobs=1)
        timed("full build (pool)", pool, rows)
        timed("no-change rebuild (pool)", pool, rows)
        timed("full build (1 process, cache kept)", warm, rows)
        timed("no-change rebuild (warm)", warm, rows)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            pipeline.build(warm)
            profiler.disable()
        edited = edit(root)
        timed("edit page + factsheet (pool)", pool, rows)
        edit(root)
        timed("edit page + factsheet (warm)", warm, rows)
        serve_times = [] if args.no_serve else serve_reload(root, args.runs)
    print(f"panelsite incremental builds: demo copy ({os.cpu_count()} cores; edited {', '.join(edited)})")
    print(f"{'':34} {'wall s':>7} {'cpu s':>7} {'rendered':>9}")
    for label, wall, cpu, rendered, files in rows:
        target = None if "full" in label else (TARGET_EDIT if "edit" in label else TARGET_REBUILD)
        mark = "" if target is None else f"  {wall / target:5.2f}× the {target} s target {ok(wall <= target)}"
        print(f"{label:34} {wall:7.2f} {cpu:7.2f} {rendered:5}/{files:<4}{mark}")
    if serve_times:
        median = statistics.median(serve_times)
        print(f"\nserve, saving {SERVE_PAGE} until the page served shows it (median of {len(serve_times)}): "
              f"{median:.3f} s, {median / TARGET_SERVE:.2f}× the {TARGET_SERVE} s target {ok(median <= TARGET_SERVE)} "
              f"(each: {', '.join(f'{t:.3f}' for t in serve_times)})")
    if args.profile:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print("\nProfile of the warm no-change rebuild (cumulative):")
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    from panelsite.errors import captured

    with captured():  # the demo's warnings are not what a benchmark reports
        sys.exit(main())
