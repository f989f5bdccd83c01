"""A build with nothing changed skips the site, and the command line then imports nothing heavy.

The up-to-date check (panelsite/engine/uptodate.py) must never skip a site whose inputs changed:
each test changes one kind of input (a page, the options, the built site itself) and sees the
site built again. The import tests read ``python -X importtime``'s list of modules, so a heavy
import moved back to module level fails here (the time itself is measured in bench/bench_cli.py).
"""

from __future__ import annotations

import datetime as _dt
import subprocess
import sys
from pathlib import Path

from .conftest import REPO, build

HEAVY = ("pandas", "numpy", "scipy", "weasyprint", "plotly", "pyreadstat", "openpyxl", "boto3", "markdown")


def imported(*args: str, cwd: Path) -> tuple[set[str], str]:
    """The top-level packages ``build.py args`` imports, and what it printed."""
    run = subprocess.run([sys.executable, "-X", "importtime", str(REPO / "build.py"), *args], cwd=cwd,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    names = {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines()
             if line.startswith("import time:")}
    return names, run.stdout


def test_help_imports_no_heavy_library(tmp_path):
    names, out = imported("--help", cwd=tmp_path)
    assert "usage:" in out
    assert not names & set(HEAVY), sorted(names & set(HEAVY))
    assert "jinja2" not in names


def test_a_build_with_nothing_changed_imports_no_heavy_library(small_project):
    first, _ = imported("build", "--jobs", "1", cwd=small_project)
    assert {"pandas", "weasyprint"} <= first  # the first build renders the results and their PDFs
    again, out = imported("build", "--jobs", "1", cwd=small_project)
    assert "Built 1 site" in out and "(0 files rendered)" in out
    assert not again & set(HEAVY), sorted(again & set(HEAVY))
    assert "jinja2" not in again


def test_a_build_with_nothing_changed_reports_the_same_warnings(small_project):
    config = small_project / "municipalities" / "lindenhaven.yaml"
    # A primary colour with too little contrast, adjusted on request: a warning names the colour used.
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('primary: "#0b5394"', 'primary: "#f5a800"\n  auto_adjust: true'), encoding="utf-8")
    first = subprocess.run([sys.executable, str(REPO / "build.py"), "--jobs", "1"], cwd=small_project,
                           capture_output=True, text=True, timeout=300)
    again = subprocess.run([sys.executable, str(REPO / "build.py"), "--jobs", "1"], cwd=small_project,
                           capture_output=True, text=True, timeout=300)
    warnings = [line for line in first.stdout.splitlines() if line.startswith("warning:")]
    assert warnings and "contrast" in warnings[0]
    assert [line for line in again.stdout.splitlines() if line.startswith("warning:")] == warnings
    assert "(0 files rendered)" in again.stdout


def test_an_edited_page_is_built_again(small_project):
    build(small_project)
    page = small_project / "content" / "lindenhaven" / "over-de-gemeente.md"
    page.write_text(page.read_text(encoding="utf-8").replace("rivier", "brede rivier"), encoding="utf-8")
    assert build(small_project)["lindenhaven"].rendered == 1
    assert "brede rivier" in (small_project / "dist" / "lindenhaven" / "over-de-gemeente" / "index.html").read_text(
        encoding="utf-8")


def test_other_options_build_the_site_again(small_project):
    build(small_project)
    again = build(small_project, base_url="https://preview.example.nl/pr-3/")["lindenhaven"]
    assert again.rendered > 0
    assert "https://preview.example.nl/pr-3/" in (small_project / "dist" / "lindenhaven" / "sitemap.xml").read_text()
    # another day: an embargo may have lifted, a questionnaire closed
    later = build(small_project, base_url="https://preview.example.nl/pr-3/",
                  today=_dt.date.today() + _dt.timedelta(days=400))["lindenhaven"]
    assert later.rendered > 0


def test_a_file_removed_from_the_built_site_is_made_again(small_project):
    build(small_project)
    page = small_project / "dist" / "lindenhaven" / "over-de-gemeente" / "index.html"
    built = page.read_bytes()
    page.unlink()
    # its inputs did not change: the site's files come from the build cache (engine/cache.py), none rendered
    assert build(small_project)["lindenhaven"].rendered == 0
    assert page.read_bytes() == built



def test_a_logo_kept_outside_the_project_folders_is_watched_too(small_project):
    # a house style kept beside the project ("../huisstijl/logo.svg") is read by its name in the YAML
    config = small_project / "municipalities" / "lindenhaven.yaml"
    style = small_project / "huisstijl"
    style.mkdir()
    logo = small_project / "municipalities" / "assets" / "lindenhaven-logo.svg"
    (style / "logo.svg").write_bytes(logo.read_bytes())
    config.write_text(config.read_text(encoding="utf-8").replace("assets/lindenhaven-logo.svg", "../huisstijl/logo.svg"),
                      encoding="utf-8")
    build(small_project)
    (style / "logo.svg").write_text(logo.read_text(encoding="utf-8").replace("</svg>", "<!-- nieuw --></svg>"),
                                    encoding="utf-8")
    assert build(small_project)["lindenhaven"].rendered > 0
    built = (small_project / "dist" / "lindenhaven" / "assets")
    assert any("<!-- nieuw -->" in p.read_text(encoding="utf-8", errors="replace") for p in built.rglob("*.svg"))


def test_a_page_edited_while_the_build_runs_is_built_again(small_project):
    """The fingerprints are taken before anything is read: an edit made after that (while the
    site is being loaded and rendered) leaves a record that does not match, so the next build
    does not skip the site as up to date."""
    from panelsite.engine import pipeline, uptodate

    from .conftest import options

    opts = options(small_project)
    build(small_project)
    page = small_project / "content" / "_shared" / "over-het-panel.md"
    taken = uptodate.fingerprints(opts)  # as commands.build takes them, before the build loads anything
    page.write_text(page.read_text(encoding="utf-8") + "\nEen zin die tijdens de build is toegevoegd.\n",
                    encoding="utf-8")
    pipeline.build(opts, taken)
    assert uptodate.unchanged_build(opts) is None
    again = build(small_project)
    assert again["lindenhaven"].rendered > 0
    assert "tijdens de build is toegevoegd" in (small_project / "dist" / "lindenhaven" / "over-het-panel"
                                                / "index.html").read_text(encoding="utf-8")
