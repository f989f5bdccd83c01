#!/usr/bin/env python3
"""Scale benchmark: a generated corpus, built by panelsite and (side by side) by MkDocs.

    python bench/bench_scale.py [--municipalities 50] [--surveys 12] [--respondents 5000] [--pages 10]
                                [--factsheets] [--profile N] [--phases N] [--no-mkdocs] [--keep DIR]

Generates municipalities × surveys (survey.yaml + responses.csv, written with numpy) × content
pages into a temporary folder and builds it (``python build.py``, all cores) three times: the
first build (empty output folder, empty build cache), a clean build with the cache kept (the
output folder removed, as a CI run that keeps ``.panelsite-cache/``: every site comes whole
from the cache), the same build again with nothing changed, and a clean build with the cache
kept after a shared page changed (every site is rendered again; its survey analyses, PDFs,
response tables and compiled templates come from the cache). It reports the time, pages per second and peak memory (getrusage of the
children: the largest process). Then it builds the same number of plain Markdown pages with
MkDocs, installed in the benchmark's own venv (/tmp/panelsite-bench-mkdocs, from
bench/requirements-mkdocs.txt), and prints each build's CPU per page as a ratio to MkDocs'.
Targets (issue 20, item 3): at most 2× MkDocs' CPU per page, under 15 s wall on 2 cores, peak
memory at most 250 MB.

``--profile N`` also profiles an in-process build of N municipalities (jobs=1) and prints the
functions that dominate; ``--phases N`` prints the CPU per municipality of the main steps.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
VENV = Path("/tmp/panelsite-bench-mkdocs")
FRONT_MATTER = re.compile(r"\A---\n.*?^---\n", re.S | re.M)

AGE = {"18-34": 9800, "35-49": 8700, "50-64": 9900, "65+": 9100}
SEX = {"man": 18500, "vrouw": 19000}
DISTRICT = {"Centrum": 7400, "Havenkwartier": 6100, "Lindenhof": 9800, "Noordveld": 8900, "Buitengebied": 5300}
THEMES = ["afval", "openbare-ruimte", "leefbaarheid", "mobiliteit", "veiligheid", "duurzaamheid",
          "dienstverlening", "overig"]

SURVEY = """title: Onderzoek {n} van {name}
theme: {theme}
fieldwork: {{start: 2025-{month:02d}-01, end: 2025-{month:02d}-15}}
invited: {invited}
publish_on: 2025-{month:02d}-28
summary: Onderzoek {n} van het panel, over {theme}.
weighting: {{by: [leeftijd, geslacht, wijk], cap: 5}}
breakdowns: [leeftijd, wijk]
questions:
  - {{id: q1, text: "Hoe tevreden bent u over {theme}?", type: scale, subject: "{theme}",
     options: {{1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}}, missing: {{9: Weet niet}}}}
  - {{id: q2, text: "Welk rapportcijfer geeft u {theme}?", type: grade, subject: "{theme}"}}
  - {{id: q3, text: "Wat vindt u belangrijk?", type: multi, subject: prioriteiten,
     options: {{1: Schoon, 2: Heel, 3: Veilig, 4: Groen, 5: Geen van deze}}}}
  - {{id: q4, text: "Heeft u hier ervaring mee?", type: single, subject: ervaring, options: {{1: Ja, 2: Nee}}}}
  - {{id: q5, text: "Hoe tevreden was u daarover?", type: scale, subject: de ervaring, filter: q4 == 1,
     options: {{1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}}}}
"""

FACTSHEET = """---
title: Wat u vond, onderzoek {n}
highlights:
  - {{question: q1, codes: [4, 5], label: "is (zeer) tevreden"}}
  - {{question: q2, stat: mean, label: "gemiddeld rapportcijfer"}}
measures: []
follow_up: []
---
{{{{ pct("q1", [4, 5]) }}}} van de inwoners is tevreden. Het rapportcijfer is een {{{{ mean("q2") }}}}.
"""


def page_body(i: int) -> str:
    return (f"Dit is pagina {i}. " + "Inwoners praten mee over hun buurt en de gemeente. " * 12 + "\n\n"
            "## Wat we doen\n\n" + "".join(f"- Punt {j}: we maken de buurt beter.\n" for j in range(8)) + "\n"
            "## Cijfers\n\n| Jaar | Leden |\n| --- | --- |\n| 2024 | 1200 |\n| 2025 | 1350 |\n\n"
            + "Meer tekst in gewone woorden, met *nadruk* en **vet**. " * 20 + "\n")


def responses_csv(rng: np.random.Generator, n: int) -> str:
    def pick(mapping):
        keys = np.array(list(mapping))
        p = np.array(list(mapping.values()), dtype=float)
        return keys[rng.choice(len(keys), n, p=p / p.sum())]

    cols = {"respondent_id": np.arange(1, n + 1).astype(str), "leeftijd": pick(AGE), "geslacht": pick(SEX),
            "wijk": pick(DISTRICT)}
    cols["q1"] = rng.choice([1, 2, 3, 4, 5, 9], n, p=[.05, .1, .2, .4, .2, .05]).astype(str)
    cols["q2"] = rng.integers(1, 11, n).astype(str)
    for j in range(1, 6):
        cols[f"q3_{j}"] = (rng.random(n) < 0.4).astype(int).astype(str)
    q4 = rng.choice([1, 2], n)
    cols["q4"] = q4.astype(str)
    cols["q5"] = np.where(q4 == 1, rng.integers(1, 6, n).astype(str), "")
    header = ",".join(cols)
    rows = np.column_stack(list(cols.values()))
    return header + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


def generate(root: Path, municipalities: int, surveys: int, respondents: int, pages: int, factsheets: bool) -> None:
    rng = np.random.default_rng(7)
    (root / "municipalities" / "assets").mkdir(parents=True)
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    for logo in ("lindenhaven-logo.svg", "lindenhaven-favicon.svg"):
        shutil.copy(REPO / "municipalities" / "assets" / logo, root / "municipalities" / "assets")
    shared = root / "content" / "_shared"
    shared.mkdir(parents=True)
    for page in sorted((REPO / "content" / "_shared").glob("*.md")):
        front = FRONT_MATTER.match(page.read_text(encoding="utf-8")).group(0)
        (shared / page.name).write_text(front + page_body(0), encoding="utf-8")
    config = (REPO / "municipalities" / "lindenhaven.yaml").read_text(encoding="utf-8")
    csvs = [responses_csv(rng, respondents) for _ in range(min(surveys, 4))]  # reused: generation is not timed
    for m in range(1, municipalities + 1):
        slug, name = f"gemeente-{m:02d}", f"Gemeente {m:02d}"
        (root / "municipalities" / f"{slug}.yaml").write_text(
            config.replace("name: Lindenhaven", f"name: {name}").replace("Lindenhaven Spreekt", f"{name} Spreekt")
            .replace("https://panel.lindenhaven.nl/", f"https://panel.{slug}.example/"), encoding="utf-8")
        content = root / "content" / slug
        for p in range(1, pages + 1):
            (content / f"pagina-{p:02d}.md").parent.mkdir(parents=True, exist_ok=True)
            (content / f"pagina-{p:02d}.md").write_text(
                f"---\ntitle: Pagina {p} van {name}\ndescription: Een pagina om te meten.\n---\n{page_body(p)}",
                encoding="utf-8")
        for s in range(1, surveys + 1):
            folder = content / "surveys" / f"onderzoek-{s:02d}"
            folder.mkdir(parents=True)
            (folder / "survey.yaml").write_text(SURVEY.format(n=s, name=name, theme=THEMES[s % len(THEMES)],
                                                              month=(s - 1) % 12 + 1, invited=respondents * 2),
                                                encoding="utf-8")
            (folder / "responses.csv").write_text(csvs[s % len(csvs)], encoding="utf-8")
            if factsheets:
                (folder / "factsheet.md").write_text(FACTSHEET.format(n=s), encoding="utf-8")


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


TARGET_CPU_RATIO = 2.0  # × MkDocs' CPU per page
TARGET_WALL = 15.0  # seconds, on 2 cores
TARGET_PEAK_MB = 250


def run_panelsite(root: Path, jobs: int) -> dict:
    """One ``build.py`` process: wall, CPU (user + system, its workers included) and the peak
    memory of its largest process, from ``os.wait4`` (so each build's own, not the largest so far)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--root", str(root), "--out",
                                 str(root / "dist"), "--jobs", str(jobs)], stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"panelsite build failed:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    summary = [line for line in stdout.splitlines() if line.startswith("Built ")][-1]
    pages = int(re.search(r"(\d+) pages", summary).group(1))
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "pages": pages, "summary": summary,
            "peak_mb": usage.ru_maxrss / 1024}


def search_index(dist: Path, sample: int = 10) -> dict:
    """The Pagefind index the build made for each site: its size, and the time to make one again.

    The build makes each index as one step of staging a site; here it is made again for up to
    ``sample`` sites (on a copy of the built site, pagefind/ removed) to time that step alone.
    """
    import json

    from panelsite.search import index as search

    sites = sorted(p.parent.parent for p in dist.glob("*/pagefind/pagefind-entry.json"))
    sizes = [sum(f.stat().st_size for f in (site / "pagefind").rglob("*") if f.is_file()) for site in sites]
    pages = [sum(lang["page_count"] for lang in json.loads((site / "pagefind" / "pagefind-entry.json")
                                                        .read_text())["languages"].values()) for site in sites]
    seconds, cpu = [], []
    with tempfile.TemporaryDirectory(prefix="panelsite-search-") as scratch:
        for site in sites[:sample]:
            copy = Path(scratch) / site.name
            shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind"))
            started, cpu_before = time.perf_counter(), children_cpu()
            search._run(copy)  # the pagefind binary: its CPU time is a child's
            seconds.append(time.perf_counter() - started)
            cpu.append(children_cpu() - cpu_before)
            shutil.rmtree(copy)
    return {"sites": len(sites), "bytes": sum(sizes), "pages": sum(pages), "seconds": seconds, "cpu": cpu}


def ensure_mkdocs() -> Path:
    """MkDocs from panelsite's own venv (the test extra pins it), else a venv of the benchmark's own."""
    import importlib.util

    if importlib.util.find_spec("mkdocs") is not None and (Path(sys.executable).parent / "mkdocs").exists():
        return Path(sys.executable).parent / "mkdocs"
    mkdocs = VENV / "bin" / "mkdocs"
    if not mkdocs.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "-r", str(REPO / "bench" / "requirements-mkdocs.txt")],
                       check=True)
    return mkdocs


def run_mkdocs(folder: Path, pages: int) -> dict:
    docs = folder / "docs"
    docs.mkdir(parents=True)
    for p in range(pages):
        (docs / f"pagina-{p:05d}.md").write_text(f"# Pagina {p}\n\n{page_body(p)}", encoding="utf-8")
    (docs / "index.md").write_text("# Start\n\nDe startpagina.\n", encoding="utf-8")
    # A navigation of a dozen entries, like a panel site's menu (all pages in the nav would make
    # MkDocs render an 8,000-entry menu into every page).
    nav = "".join(f"  - pagina-{p:05d}.md\n" for p in range(min(pages, 12)))
    (folder / "mkdocs.yml").write_text(f"site_name: Bench\nnav:\n  - index.md\n{nav}", encoding="utf-8")
    mkdocs = ensure_mkdocs()
    cpu = children_cpu()
    started = time.perf_counter()
    proc = subprocess.run([str(mkdocs), "build", "-q", "-f", str(folder / "mkdocs.yml"), "-d", str(folder / "site")],
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"mkdocs build failed:\n{proc.stderr[-3000:]}")
    return {"wall": wall, "cpu": children_cpu() - cpu, "pages": pages + 1}


def empty_folders(root: Path, name: str) -> tuple[Path, Path]:
    """An empty output folder and an empty build cache for an in-process build: the work of the
    first build, nothing taken from the cache of the builds before."""
    out, cache = root / f"dist-{name}", root / f"cache-{name}"
    for folder in (out, cache):
        shutil.rmtree(folder, ignore_errors=True)
    return out, cache


def profile(root: Path, count: int) -> str:
    sys.path.insert(0, str(REPO))
    from panelsite.engine import pipeline

    only = sorted(p.stem for p in (root / "municipalities").glob("*.yaml"))[:count]
    out, cache = empty_folders(root, "profile")
    options = pipeline.Options(root=root, out=out, cache_dir=cache, only=only, jobs=1, progress=False)
    profiler = cProfile.Profile()
    profiler.enable()
    pipeline.build(options)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    return out.getvalue()


PHASES = [  # (module, function or Class.method, label): the steps whose time --phases reports
    ("panelsite.engine.pipeline", "load_all", "load and validate (pages, surveys, factsheets)"),
    ("panelsite.surveys.loader", "_read_responses", "  of which: read responses.csv"),
    ("panelsite.config.yamlfile", "parse", "  of which: parse YAML"),
    ("panelsite.results.family", "Results._analyse", "weighting and statistics"),
    ("panelsite.engine.pdf", "render_pdf", "PDFs (the paper form)"),
    ("panelsite.engine.site", "Site.render_template", "templates (every page)"),
    ("panelsite.engine.content", "render_markdown", "Markdown"),
    ("panelsite.results.pages", "question_view", "results view model"),
    ("panelsite.results.family", "_open_data_json", "data.json"),
    ("panelsite.results.family", "to_open_data_csv", "data.csv"),
    ("panelsite.engine.writer", "StagedSite.write", "writing files"),
]


def phases(root: Path, count: int) -> str:
    """CPU per municipality of the main steps, from an in-process build of ``count`` (jobs=1) with an
    empty build cache: the work of the first build."""
    import functools
    import importlib

    sys.path.insert(0, str(REPO))
    from panelsite.engine import pipeline

    spent: dict[str, float] = {}

    def timed(original, label):
        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - started
        return wrapper

    for module, name, label in PHASES:
        owner = importlib.import_module(module)
        *classes, attribute = name.split(".")
        for cls in classes:
            owner = getattr(owner, cls)
        setattr(owner, attribute, timed(getattr(owner, attribute), label))
    pipeline._preload()  # as the pool does: imports are not part of the steps
    only = sorted(p.stem for p in (root / "municipalities").glob("*.yaml"))[:count]
    out, cache = empty_folders(root, "phases")
    started = time.process_time()
    pipeline.build(pipeline.Options(root=root, out=out, cache_dir=cache, only=only, jobs=1, progress=False))
    total = time.process_time() - started
    lines = [f"{'step':<50} {'ms per municipality':>20}"]
    lines += [f"{label:<50} {spent.get(label, 0.0) / len(only) * 1000:>20.1f}" for _, _, label in PHASES]
    lines.append(f"{'whole build (after imports)':<50} {total / len(only) * 1000:>20.1f}")
    return "\n".join(lines)


def mark(ok: bool) -> str:
    return "[ok]" if ok else "[MISSED]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=50)
    parser.add_argument("--surveys", type=int, default=12)
    parser.add_argument("--respondents", type=int, default=5000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--factsheets", action="store_true", help="a factsheet.md (web page, PDF, e-mail) per survey")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile a build of N municipalities")
    parser.add_argument("--phases", type=int, default=0, metavar="N",
                        help="CPU per municipality of the main steps, from a build of N municipalities")
    parser.add_argument("--no-mkdocs", action="store_true")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1798761600")
    tmp = None
    if args.keep:
        root = args.keep
        shutil.rmtree(root, ignore_errors=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="panelsite-scale-")
        root = Path(tmp.name)
    try:
        started = time.perf_counter()
        generate(root / "corpus", args.municipalities, args.surveys, args.respondents, args.pages, args.factsheets)
        print(f"corpus: {args.municipalities} municipalities × {args.surveys} surveys × {args.respondents} "
              f"respondents, {args.pages} own pages each{' + factsheets' if args.factsheets else ''} "
              f"(generated in {time.perf_counter() - started:.1f} s; {os.cpu_count()} cores)")
        corpus = root / "corpus"
        ps = run_panelsite(corpus, args.jobs)  # the first build: no output folder, no build cache
        print(f"panelsite: {ps['summary']}")
        shutil.rmtree(corpus / "dist")  # a clean build, the build cache kept (.panelsite-cache/)
        warm = run_panelsite(corpus, args.jobs)
        again = run_panelsite(corpus, args.jobs)
        # Every site's inputs change (a shared page): no site comes whole from the cache, its
        # analyses, PDFs, response tables and compiled templates do.
        shared_page = sorted((corpus / "content" / "_shared").glob("*.md"))[0]
        shared_page.write_text(shared_page.read_text(encoding="utf-8") + "\nEen zin erbij.\n", encoding="utf-8")
        shutil.rmtree(corpus / "dist")
        edited = run_panelsite(corpus, args.jobs)
        builds = [("first build (cold cache)", ps), ("clean build, cache kept", warm),
                  ("  same, a shared page edited", edited)]
        for label, run in builds:
            print(f"  {label:29} {run['wall']:6.1f} s wall {mark(run['wall'] <= TARGET_WALL)}, "
                  f"{run['cpu']:6.1f} s cpu; "
                  f"{run['pages'] / run['wall']:4.0f} pages/s; peak memory {run['peak_mb']:.0f} MB "
                  f"{mark(run['peak_mb'] <= TARGET_PEAK_MB)} (largest process)")
        print(f"  the same build again, nothing changed: {again['wall']:.2f} s wall, {again['cpu']:.2f} s cpu "
              f"({again['summary']})")
        print(f"  targets: wall ≤ {TARGET_WALL:.0f} s on 2 cores, peak ≤ {TARGET_PEAK_MB} MB; benchmark itself "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        index = search_index(root / "corpus" / "dist")
        if index["sites"]:
            per_site = sum(index["seconds"]) / len(index["seconds"])
            cpu_per_site = sum(index["cpu"]) / len(index["cpu"])
            print(f"  search index (Pagefind): {index['sites']} sites, {index['pages']} pages indexed, "
                  f"{index['bytes'] / 2**20:.1f} MB in all ({index['bytes'] / index['pages'] / 1024:.1f} kB per page); "
                  f"one site indexed in {per_site:.2f} s wall, {cpu_per_site:.2f} s cpu (mean of "
                  f"{len(index['seconds'])}): {cpu_per_site / (ps['cpu'] / index['sites']):.2f} × the build's cpu "
                  "per site")
        if not args.no_mkdocs:
            md = run_mkdocs(root / "mkdocs", ps["pages"] - 1)
            print(f"mkdocs {md['pages']} pages (anchor): {md['wall']:.1f} s wall, {md['cpu']:.1f} s cpu; "
                  f"{md['pages'] / md['wall']:.0f} pages/s; {md['cpu'] / md['pages'] * 1000:.2f} ms cpu per page")
            for label, run in builds:
                ratio = (run["wall"] / run["pages"]) / (md["wall"] / md["pages"])
                cpu_ratio = (run["cpu"] / run["pages"]) / (md["cpu"] / md["pages"])
                print(f"  {label:29} per page panelsite/mkdocs: {cpu_ratio:5.2f}× cpu "
                      f"{mark(cpu_ratio <= TARGET_CPU_RATIO)} (target ≤ {TARGET_CPU_RATIO:.0f}×), {ratio:5.2f}× wall; "
                      f"{run['cpu'] / run['pages'] * 1000:.2f} ms cpu per page")
        if args.phases:
            print(f"\nSteps of an in-process build of {args.phases} municipalities (jobs=1, CPU time; "
                  "steps nest, so they do not add up):")
            print(phases(root / "corpus", args.phases))
        if args.profile:
            print(f"\nProfile of an in-process build of {args.profile} municipalities (jobs=1):")
            print(profile(root / "corpus", args.profile))
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    from panelsite.errors import captured

    with captured():  # the demo's warnings are not what a benchmark reports
        sys.exit(main())
