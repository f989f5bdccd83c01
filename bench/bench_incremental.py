#!/usr/bin/env python3
"""Incremental build benchmark on a copy of the demo (target: a rebuild under 0.5 s).

    python bench/bench_incremental.py [--jobs N] [--profile] [--no-link-check]

Copies municipalities/, content/ and themes/ to a temporary folder and times:
a full build, a rebuild without changes, and the rebuild after editing one
Markdown page and one factsheet.md. Each is timed twice over: as ``python
build.py`` runs it (a process pool when there are several sites) and in one warm
process with jobs=1 (as ``serve`` rebuilds). ``--profile`` prints the top of a
cProfile of the warm no-change rebuild.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from panelsite.engine import pipeline  # noqa: E402

TARGET = 0.5


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=0, help="processes for the pool runs (default: cores)")
    parser.add_argument("--profile", action="store_true", help="profile the warm no-change rebuild")
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
        timed("full build (1 process)", warm, rows)
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
    print(f"panelsite incremental builds: demo copy ({os.cpu_count()} cores; edited {', '.join(edited)})")
    print(f"{'':34} {'wall s':>7} {'cpu s':>7} {'rendered':>9}")
    for label, wall, cpu, rendered, files in rows:
        mark = "" if "full" in label else ("  ok" if wall < TARGET else f"  over the {TARGET} s target")
        print(f"{label:34} {wall:7.2f} {cpu:7.2f} {rendered:5}/{files:<4}{mark}")
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
