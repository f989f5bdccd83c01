#!/usr/bin/env python3
"""Benchmark: the command line as a whole process, against MkDocs 1.6.1 in the same run.

    python bench/bench_cli.py [--runs 7]

Copies the demo project (municipalities/, content/, themes/) into a temporary folder and
times, each as its own process (wall time, and CPU as user + system of the process and its
children, from ``os.wait4``), the median of ``--runs`` runs of:

* ``build.py --only lindenhaven`` with nothing changed, against ``mkdocs build`` of a
  10-page site (the anchor; targets: CPU ratio at most 1.0, wall at most 0.5 s);
* ``build.py --only lindenhaven`` after one Markdown page was edited (target: at most 0.6 s);
* ``build.py --help`` against ``mkdocs --help`` (target: ratio at most 1.0).

MkDocs comes from the test extra (pyproject.toml, pinned in constraints.txt). Both run with
Python's bytecode cache on (in a temporary PYTHONPYCACHEPREFIX), as on a user's machine.
Prints the figures and the ratios; no assertions.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# Python's bytecode cache as on a user's machine (this environment may set PYTHONDONTWRITEBYTECODE,
# and then every run compiles panelsite's modules again), kept out of the repository.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one run."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def median_of(runs: int, argv: list[str], cwd: Path, before=None) -> tuple[float, float]:
    walls, cpus = [], []
    for i in range(runs):
        if before is not None:
            before(i)
        wall, cpu = run(argv, cwd)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def mkdocs_site(root: Path, pages: int = 10) -> Path:
    docs = root / "docs"
    docs.mkdir(parents=True)
    for i in range(pages):
        name = "index.md" if i == 0 else f"pagina-{i}.md"
        (docs / name).write_text(f"# Pagina {i}\n\n" + "Inwoners praten mee over hun buurt. " * 30
                                 + "\n\n## Meer\n\n- een\n- twee\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_name: Bench\n", encoding="utf-8")
    return root


def demo_project(root: Path) -> Path:
    for folder in ("municipalities", "content", "themes"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    mkdocs = [PYTHON, "-m", "mkdocs"]
    build = [PYTHON, str(REPO / "build.py")]
    with tempfile.TemporaryDirectory(prefix="panelsite-bench-cli-") as tmp:
        tmp = Path(tmp)
        ENV["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        anchor = mkdocs_site(tmp / "mkdocs")
        project = demo_project(tmp / "project")
        only = [*build, "--only", "lindenhaven", "--jobs", "1"]
        run(only, project)  # the first build renders everything (not timed)
        run(only, project)

        mk_build = median_of(args.runs, [*mkdocs, "build", "-q"], anchor)
        unchanged = median_of(args.runs, only, project)
        page = project / "content" / "lindenhaven" / "nieuws.md"
        original = page.read_text(encoding="utf-8")

        def edit(i: int) -> None:
            page.write_text(original + f"\nEen zin die erbij kwam ({i}).\n", encoding="utf-8")

        edited = median_of(args.runs, only, project, before=edit)
        mk_help = median_of(args.runs, [*mkdocs, "--help"], tmp)
        help_ = median_of(args.runs, [*build, "--help"], tmp)

    print(f"median of {args.runs} runs each; CPU = user + system, children included\n")
    print(f"{'':44} {'wall s':>8} {'CPU s':>8}")
    rows = [("mkdocs build, 10 pages (anchor)", mk_build), ("build.py --only lindenhaven, nothing changed", unchanged),
            ("build.py --only lindenhaven, one page edited", edited), ("mkdocs --help (anchor)", mk_help),
            ("build.py --help", help_)]
    for name, (wall, cpu) in rows:
        print(f"{name:44} {wall:8.3f} {cpu:8.3f}")
    print()
    def ok(met: bool) -> str:
        return "[ok]" if met else "[MISSED]"

    ratio = unchanged[1] / mk_build[1]
    print(f"nothing changed: CPU {ratio:.2f}× MkDocs' 10-page build (target ≤ 1.0) {ok(ratio <= 1.0)}, "
          f"wall {unchanged[0]:.2f} s = {unchanged[0] / 0.5:.2f}× the 0.5 s target {ok(unchanged[0] <= 0.5)}")
    print(f"one page edited: wall {edited[0]:.2f} s = {edited[0] / 0.6:.2f}× the 0.6 s target {ok(edited[0] <= 0.6)}, "
          f"CPU {edited[1] / mk_build[1]:.2f}× MkDocs' 10-page build")
    ratio = help_[1] / mk_help[1]
    print(f"--help: wall {help_[0] / mk_help[0]:.2f}×, CPU {ratio:.2f}× mkdocs --help (target ≤ 1.0) "
          f"{ok(ratio <= 1.0)}")


if __name__ == "__main__":
    main()
