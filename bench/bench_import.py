"""Benchmark: ``build.py import`` of a 50,000-row × 80-column SPSS file.

Generates the file with pyreadstat (fixed seed): three background variables as codes with
value labels, an e-mail column, scale and single questions with value labels and a
user-missing code, multi questions as 0.0/1.0 columns, report marks, numbers and an open
question, and a survey.yaml for it. Then measures, each in a fresh process so the peaks
are its own:

* the anchor: pyreadstat's bare read of the same file (``read_sav(user_missing=True)``);
* the import: read, match, recode, write responses.csv and read it back, as the command does.

Prints wall time and peak memory (max RSS) of both and the ratios import/anchor; no
assertions. Target: the import under 5 s, memory bounded (a small multiple of the bare read).

    python bench/bench_import.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ROWS, COLUMNS = 50_000, 80


def generate(root: Path) -> Path:
    import numpy as np
    import pandas as pd
    import pyreadstat

    from tests.importing.conftest import new_project

    rng = np.random.default_rng(15)
    project = new_project(root / "project", None)
    data, labels, missing, texts = {}, {}, {}, {}
    data["email"] = [f"inwoner{i}@voorbeeld.nl" for i in range(ROWS)]
    data["lftcat"] = rng.integers(1, 5, ROWS).astype(float)
    labels["lftcat"] = {1: "18-34", 2: "35-49", 3: "50-64", 4: "65+"}
    data["gesl"] = rng.integers(1, 3, ROWS).astype(float)
    labels["gesl"] = {1: "Man", 2: "Vrouw"}
    data["wijk"] = rng.integers(1, 4, ROWS).astype(float)
    labels["wijk"] = {1: "Noord", 2: "Zuid", 3: "Centrum"}
    yaml = ["title: Benchmark", "theme: overig", "fieldwork: {start: 2026-03-02, end: 2026-03-16}",
            f"invited: {ROWS * 2}", "publish_on: 2026-04-15", "weighting: {by: [leeftijd, geslacht, wijk]}",
            "questions:"]
    scale = {1: "Zeer ontevreden", 2: "Ontevreden", 3: "Neutraal", 4: "Tevreden", 5: "Zeer tevreden"}
    i = 0
    while len(data) < COLUMNS:
        i += 1
        qid, kind = f"q{i}", ["scale", "single", "multi", "grade", "number", "scale", "open"][i % 7]
        yaml += [f"  - id: {qid}", f"    text: Vraag {i}", f"    type: {kind}"]
        texts[qid] = f"Vraag {i}"
        if kind in ("scale", "single"):
            yaml += ["    options: {1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}",
                     "    missing: {9: Weet niet}"]
            values = rng.choice([1, 2, 3, 4, 5, 9], ROWS).astype(float)
            values[rng.random(ROWS) < 0.05] = np.nan
            data[qid], labels[qid], missing[qid] = values, {**scale, 9: "Weet niet"}, [9]
        elif kind == "multi":
            yaml.append("    options: {1: Een, 2: Twee, 3: Drie, 4: Vier}")
            for code in range(1, 5):
                data[f"{qid}_{code}"] = rng.integers(0, 2, ROWS).astype(float)
        elif kind == "grade":
            data[qid] = rng.integers(1, 11, ROWS).astype(float)
        elif kind == "number":
            data[qid] = np.round(rng.random(ROWS) * 30, 1)
        else:
            data[qid] = np.where(rng.random(ROWS) < 0.2, "Meer groen in de wijk", "")
    (project.survey / "survey.yaml").write_text("\n".join(yaml) + "\n", encoding="utf-8")
    path = root / "bureau.sav"
    pyreadstat.write_sav(pd.DataFrame(data), str(path), variable_value_labels=labels, missing_ranges=missing,
                         column_labels=texts)
    return path


def measure(what: str, path: str, root: str) -> None:
    started = time.perf_counter()
    if what == "anchor":
        import pyreadstat

        pyreadstat.read_sav(path, user_missing=True)
    else:
        from panelsite.importing.run import Request, run

        report = run(Request(root=Path(root) / "project", slug="teststad", survey_id="buurt-2026", file=Path(path)))
        assert report.respondents == ROWS
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mib": peak_mib}))


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        measure(*sys.argv[2:])
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = generate(root)
        print(f"{ROWS:,} rows × {COLUMNS} columns, {path.stat().st_size / 2**20:.1f} MiB .sav")
        results = {}
        for what in ("anchor", "import"):
            out = subprocess.run([sys.executable, __file__, "--measure", what, str(path), str(root)],
                                 capture_output=True, text=True, check=True, cwd=REPO)
            results[what] = json.loads(out.stdout.strip().splitlines()[-1])
        a, b = results["anchor"], results["import"]
        print(f"anchor (pyreadstat bare read): {a['seconds']:.2f} s, peak {a['peak_mib']:.0f} MiB")
        print(f"import (read, match, recode, write, read back): {b['seconds']:.2f} s, peak {b['peak_mib']:.0f} MiB")
        print(f"ratio import/anchor: time {b['seconds'] / a['seconds']:.1f}×, peak memory {b['peak_mib'] / a['peak_mib']:.1f}×")
        print(f"target: import under 5 s: {'met' if b['seconds'] < 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
