"""Benchmark: time per factsheet (web page + PDF + e-mail HTML and text), cold and cached.

Plans every demo municipality in memory (no link check, nothing written to dist)
and renders each published factsheet's four outputs twice: first with an empty
PDF cache (cold: WeasyPrint renders), then with a fresh plan and the warm cache
(cached: the PDF comes from ``.panelsite/pdf-cache``). The survey results are
computed once per plan, so the first factsheet of a municipality includes that
computation. Prints the figures; no assertions.

    python bench/bench_factsheet.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from panelsite.engine import pipeline  # noqa: E402
from panelsite.factsheets import pdf as pdf_mod  # noqa: E402

SLUGS = ["lindenhaven", "heidebeek", "brugwaard"]


def run(out: Path) -> list[tuple[str, dict[str, float], int]]:
    rows = []
    for slug in SLUGS:
        options = pipeline.Options(root=ROOT, out=out, only=[slug], jobs=1, progress=False)
        inputs = pipeline.load_all(options)[slug]
        site = pipeline.plan_site(options, inputs, inputs.municipality.base_url)
        outputs = {o.path: o for o in site.outputs}
        for survey in inputs.results.published:
            fs = inputs.factsheets.get(survey.id)
            if fs is None:
                continue
            times, size = {}, 0
            # The PDF first: the web page gives its size and would otherwise render it (cold)
            # under "web"; in a build the page finds it in the cache the same way.
            for kind, path in (("pdf", fs.pdf_path), ("web", fs.path + "index.html"),
                               ("email", fs.email_path + ".html"), ("text", fs.email_path + ".txt")):
                started = time.perf_counter()
                data = outputs[path].render()
                times[kind] = time.perf_counter() - started
                if kind == "pdf":
                    size = len(data)
            rows.append((f"{slug}/{survey.id}", times, size))
    return rows


def report(title: str, rows) -> None:
    print(f"\n{title}")
    print(f"{'factsheet':<42}{'web':>8}{'pdf':>8}{'e-mail':>8}{'text':>8}{'total':>8}{'pdf KB':>8}")
    for name, t, size in rows:
        print(f"{name:<42}" + "".join(f"{t[k] * 1000:7.0f}ms"[-8:] for k in ("web", "pdf", "email", "text"))
              + f"{sum(t.values()) * 1000:6.0f}ms{size / 1024:8.1f}")
    totals = [sum(t.values()) for _, t, _ in rows]
    print(f"mean per factsheet: {sum(totals) / len(totals) * 1000:.0f} ms "
          f"(PDF: {sum(t['pdf'] for _, t, _ in rows) / len(rows) * 1000:.0f} ms); "
          f"PDFs rendered {pdf_mod.stats['rendered']}, from cache {pdf_mod.stats['cached']}")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-factsheet-") as tmp:
        out = Path(tmp)
        report("cold (empty PDF cache)", run(out))
        pdf_mod.stats.update(rendered=0, cached=0)
        report("cached (PDF cache warm, fresh plan)", run(out))


if __name__ == "__main__":
    from panelsite.errors import captured

    with captured():  # the demo's warnings are not what a benchmark reports
        main()
