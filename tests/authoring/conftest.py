"""Small throw-away projects for the authoring tests.

``small_project`` is a project folder with one municipality (a copy of the demo's
Lindenhaven with two surveys of the afval series) and the shared pages with their
real front matter (templates, forms) but a short body without links, so the tests
do not depend on pages other modules add. ``build_project`` builds it in-process.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from panelsite.engine import pipeline

REPO = Path(__file__).resolve().parents[2]
FRONT_MATTER = re.compile(r"\A---\n.*?^---\n", re.S | re.M)


def make_project(root: Path, surveys=("afval-2025", "afval-2026")) -> Path:
    (root / "municipalities" / "assets").mkdir(parents=True)
    # Without the demo's moving dates: these tests set the build date and expect the dates as written.
    config = (REPO / "municipalities" / "lindenhaven.yaml").read_text(encoding="utf-8")
    (root / "municipalities" / "lindenhaven.yaml").write_text(config.split("\ndemo:", 1)[0] + "\n", encoding="utf-8")
    for logo in (REPO / "municipalities" / "assets").glob("lindenhaven-*"):
        shutil.copy(logo, root / "municipalities" / "assets")
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    shared = root / "content" / "_shared"
    shared.mkdir(parents=True)
    for page in sorted((REPO / "content" / "_shared").glob("*.md")):
        front = FRONT_MATTER.match(page.read_text(encoding="utf-8")).group(0)
        (shared / page.name).write_text(front + "Een korte tekst voor {{ site.name }}.\n\n## Meer\n\nNog een alinea.\n",
                                        encoding="utf-8")
    own = root / "content" / "lindenhaven"
    (own / "surveys").mkdir(parents=True)
    (own / "over-de-gemeente.md").write_text(
        "---\ntitle: Over de gemeente\nnav_order: 40\n---\nLindenhaven ligt aan de rivier.\n", encoding="utf-8")
    for survey in surveys:
        shutil.copytree(REPO / "content" / "lindenhaven" / "surveys" / survey, own / "surveys" / survey)
    return root


def options(root: Path, out: Path | None = None, **kw) -> pipeline.Options:
    kw.setdefault("jobs", 1)
    kw.setdefault("progress", False)
    return pipeline.Options(root=root, out=out or root / "dist", **kw)


def build(root: Path, out: Path | None = None, **kw) -> dict[str, pipeline.SiteResult]:
    results = pipeline.build(options(root, out, **kw))
    return {r.slug: r for r in results}


@pytest.fixture
def small_project(tmp_path) -> Path:
    return make_project(tmp_path / "project")
