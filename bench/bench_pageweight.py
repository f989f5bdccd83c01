"""Page weight per page type: the largest page (gzipped bytes over the wire) and the page count.

    python bench/bench_pageweight.py              # builds the demo sites into a temp folder
    python bench/bench_pageweight.py --dist dist  # measures an existing build

Weights are measured as in tests/gate/pageweight.py: HTML, CSS, own JS, fonts, images and
favicon, gzipped where a server would; plotly.js is shown separately.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from gate import pageweight  # noqa: E402
from panelsite.a11y import check as a11y  # noqa: E402


def measure_all(dist: Path) -> dict[str, list[pageweight.PageWeight]]:
    by_type: dict[str, list[pageweight.PageWeight]] = defaultdict(list)
    for page in a11y.site_pages(dist):
        by_type[page.type].append(pageweight.measure(dist, page))
    return by_type


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, help="an existing dist folder (default: build the demo)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="panelsite-bench-") as tmp:
        dist = args.dist
        if dist is None:
            dist = Path(tmp) / "dist"
            subprocess.run([sys.executable, "build.py", "--out", str(dist)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        by_type = measure_all(dist)
    print(f"{'page type':<16} {'pages':>5} {'largest (gzip)':>15} {'+ plotly.js':>12}  largest page")
    for kind in sorted(by_type):
        weights = by_type[kind]
        largest = max(weights, key=lambda w: w.total_without_plotly)
        plotly = largest.total - largest.total_without_plotly
        print(f"{kind:<16} {len(weights):>5} {largest.total_without_plotly:>15,} "
              f"{plotly:>12,}  {largest.page.rel}")
    print(f"budget: {pageweight.BUDGET:,} bytes gzipped per page without an interactive chart")
    return 0


if __name__ == "__main__":
    sys.exit(main())
