#!/usr/bin/env python3
"""Benchmark: content pages per CPU second, against MkDocs 1.6.1 on the same pages in the same run.

    python bench/bench_pages.py [--pages 2000] [--profile]

Generates ``--pages`` plain Markdown pages (a few paragraphs, a list, a table, emphasis) twice:
as the pages of one municipality (the demo theme, the shared pages with their front matter and
a short body, no surveys) and as a MkDocs site with the same pages. Both tools keep the pages
out of their navigation (no ``nav_order``; MkDocs' ``nav:`` lists only the start page), so
both do the same work per page: Markdown, the page template, the search index, writing.

Each tool builds into a fresh folder as its own process (twice; the second is measured, so the
bytecode and file system caches are warm for both); its CPU is user + system of the
process and its children (Pagefind, for panelsite), from ``os.wait4``; each panelsite build has a
build cache of its own (``--cache-dir``), so the figure is the work per page. Prints the pages per
CPU second of both and their ratio (target: panelsite at least 1.5× MkDocs); no assertions.
``--profile`` also profiles an in-process build of the same site and prints where the time goes.

The figure moves with the file system under the temporary folder (``TMPDIR``): both tools create
a file per page and Pagefind another, and on ext4, for some minutes after many files were deleted
(earlier runs of this benchmark, the test suite), creating a file costs up to half a millisecond
of system time while the kernel passes over the freed inodes (perf: ``recently_deleted``). Run
it on a quiet file system; the same build measured 1.31× on a fresh one and 1.26× right after
other runs.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FRONT_MATTER = re.compile(r"\A---\n.*?^---\n", re.S | re.M)
SLUG = "gemeente-bench"
# Python's bytecode cache as on a user's machine (see bench_cli.py), outside the repository.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def page_body(i: int) -> str:
    return (f"Dit is pagina {i}. " + "Inwoners praten mee over hun buurt en de gemeente. " * 12 + "\n\n"
            "## Wat we doen\n\n" + "".join(f"- Punt {j}: we maken de buurt beter.\n" for j in range(8)) + "\n"
            "## Cijfers\n\n| Jaar | Leden |\n| --- | --- |\n| 2024 | 1200 |\n| 2025 | 1350 |\n\n"
            + "Meer tekst in gewone woorden, met *nadruk* en **vet**. " * 20 + "\n")


def panelsite_project(root: Path, pages: int) -> Path:
    (root / "municipalities" / "assets").mkdir(parents=True)
    config = (REPO / "municipalities" / "lindenhaven.yaml").read_text(encoding="utf-8")
    (root / "municipalities" / f"{SLUG}.yaml").write_text(config, encoding="utf-8")
    for logo in (REPO / "municipalities" / "assets").glob("lindenhaven-*"):
        shutil.copy(logo, root / "municipalities" / "assets")
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    shared = root / "content" / "_shared"
    shared.mkdir(parents=True)
    for page in sorted((REPO / "content" / "_shared").glob("*.md")):
        front = FRONT_MATTER.match(page.read_text(encoding="utf-8")).group(0)
        (shared / page.name).write_text(front + "Een korte tekst voor {{ site.name }}.\n", encoding="utf-8")
    own = root / "content" / SLUG
    own.mkdir(parents=True)
    for i in range(pages):
        (own / f"pagina-{i:05d}.md").write_text(f"---\ntitle: Pagina {i}\n---\n{page_body(i)}", encoding="utf-8")
    return root


def mkdocs_project(root: Path, pages: int) -> Path:
    docs = root / "docs"
    docs.mkdir(parents=True)
    for i in range(pages):
        (docs / f"pagina-{i:05d}.md").write_text(f"# Pagina {i}\n\n{page_body(i)}", encoding="utf-8")
    (docs / "index.md").write_text("# Start\n\nDe startpagina.\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_name: Bench\nnav:\n  - index.md\n", encoding="utf-8")
    return root


def build_cpu(argv: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall, CPU of the process and its children, stdout) of one build."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def profile(root: Path) -> str:
    sys.path.insert(0, str(REPO))
    from panelsite.engine import pipeline

    options = pipeline.Options(root=root, out=root / "dist-profile", jobs=1, progress=False)
    profiler = cProfile.Profile()
    profiler.enable()
    pipeline.build(options)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="panelsite-bench-pages-") as tmp:
        tmp = Path(tmp)
        ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        site = panelsite_project(tmp / "panelsite", args.pages)
        docs = mkdocs_project(tmp / "mkdocs", args.pages)
        # Each tool builds twice into a fresh folder; the second build is measured, with the
        # bytecode and file system caches as warm for both.
        for attempt in ("warm", "measured"):
            mk_wall, mk_cpu, _ = build_cpu([sys.executable, "-m", "mkdocs", "build", "-q", "-d",
                                            str(tmp / f"mk-site-{attempt}")], docs)
            # A build cache of its own each time: the figure is the work per page, not a cache hit.
            ps_wall, ps_cpu, out = build_cpu([sys.executable, str(REPO / "build.py"), "--out",
                                              str(tmp / f"dist-{attempt}"), "--cache-dir",
                                              str(tmp / f"cache-{attempt}")], site)
        # What CI sees when it keeps the cache folder: a clean output folder, the measured build's cache.
        kept_wall, kept_cpu, _ = build_cpu([sys.executable, str(REPO / "build.py"), "--out", str(tmp / "dist-kept"),
                                            "--cache-dir", str(tmp / "cache-measured")], site)
        summary = [line for line in out.splitlines() if line.startswith("Built ")][-1]
        total = int(re.search(r"(\d+) pages", summary).group(1))
        profiled = profile(site) if args.profile else ""

    mk_rate, ps_rate = (args.pages + 1) / mk_cpu, args.pages / ps_cpu
    print(f"{args.pages} plain Markdown pages, out of the navigation; CPU = user + system, children included\n")
    print(f"{'':28} {'wall s':>8} {'CPU s':>8} {'pages/CPU s':>12}")
    print(f"{'MkDocs 1.6.1 (anchor)':28} {mk_wall:8.2f} {mk_cpu:8.2f} {mk_rate:12.0f}")
    print(f"{'panelsite':28} {ps_wall:8.2f} {ps_cpu:8.2f} {ps_rate:12.0f}   ({summary})")
    print(f"{'panelsite, cache kept':28} {kept_wall:8.2f} {kept_cpu:8.2f} {args.pages / kept_cpu:12.0f}   "
          "(a clean --out with the cache folder of the build above: the site comes from the cache)")
    print(f"\npanelsite: {ps_rate / mk_rate:.2f}× MkDocs' content pages per CPU second with an empty build cache "
          f"(target ≥ 1.5; {args.pages / kept_cpu / mk_rate:.1f}× with the cache kept); "
          f"the site has {total - args.pages} pages besides the {args.pages} content pages")
    if profiled:
        print("\n" + profiled)


if __name__ == "__main__":
    main()
