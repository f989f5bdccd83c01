"""A build after one Markdown page was edited renders that page without loading the statistics,
the charts or the colour science: pandas, numpy, plotly and ColorAide stay out of the process
(issue 20.2). The response tables and the member register come back from the build cache still
pickled, and the chart and logo colours are kept there (config/kept.py).

Each build runs as its own process, as on a user's machine; the last one reports the modules it
imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SLUG = "lindenhaven"
HEAVY = ("pandas", "numpy", "coloraide", "plotly", "weasyprint")

# build.py's main, then which of HEAVY it imported (on stderr's last line, after the build's own lines)
BUILD_AND_TELL = (
    "import json, sys\n"
    f"sys.path.insert(0, {str(REPO)!r})\n"
    "from panelsite.cli import main\n"
    "code = main(sys.argv[1:])\n"
    f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


@pytest.fixture
def project(tmp_path) -> Path:
    """A writable copy of the demo project with one municipality's content (its surveys, register, factsheets)."""
    root = tmp_path / "project"
    for part in ("municipalities", "themes", "content/_shared", f"content/{SLUG}"):
        shutil.copytree(REPO / part, root / part)
    return root


def build(project: Path) -> list[str]:
    """``build.py --only lindenhaven`` in a new process; the heavy modules it imported."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795824000"}
    run = subprocess.run([sys.executable, "-c", BUILD_AND_TELL, "build", "--root", str(project), "--only", SLUG,
                          "--jobs", "1"], cwd=project, capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stderr.strip().splitlines()[-1])


def test_a_page_edit_is_rebuilt_without_pandas_numpy_plotly_or_coloraide(project):
    assert "pandas" in build(project)  # the first build computes every result and palette
    page = project / "content" / SLUG / "nieuws.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEen zin die er net bij kwam.\n", encoding="utf-8")
    assert build(project) == []
    site = project / "dist" / SLUG
    assert "Een zin die er net bij kwam." in (site / "nieuws" / "index.html").read_text(encoding="utf-8")
    assert (site / "resultaten" / "index.html").is_file()  # the results are still there, not rendered again


def test_a_changed_response_file_does_need_them(project):
    """The other side: what a changed responses.csv changes is rendered again, with pandas."""
    build(project)
    responses = sorted((project / "content" / SLUG / "surveys").glob("*/responses.csv"))[0]
    responses.write_bytes(responses.read_bytes() + b"\n")  # a blank line at the end: the same answers
    assert "pandas" in build(project)
