"""Files that are the same in every site are stored once and hard-linked; stale copies are pruned."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import build, make_project


def two_municipalities(root: Path) -> Path:
    project = make_project(root)
    config = (project / "municipalities" / "lindenhaven.yaml").read_text(encoding="utf-8")
    (project / "municipalities" / "eikendaal.yaml").write_text(
        config.replace("name: Lindenhaven", "name: Eikendaal").replace("https://panel.lindenhaven.nl/",
                                                                       "https://panel.eikendaal.nl/"),
        encoding="utf-8")
    shutil.copytree(project / "content/lindenhaven/surveys", project / "content/eikendaal/surveys")
    return project


def blobs(project: Path) -> set[str]:
    return {p.name for p in (project / "dist" / ".panelsite" / "blobs").iterdir()}


def test_theme_files_are_one_file_linked_into_every_site(tmp_path):
    project = two_municipalities(tmp_path / "project")
    build(project, jobs=2)
    dist = project / "dist"
    script_a, script_b = dist / "lindenhaven/assets/js/forms.js", dist / "eikendaal/assets/js/forms.js"
    assert script_a.read_bytes() == (project / "themes/default/static/js/forms.js").read_bytes()
    assert script_a.stat().st_ino == script_b.stat().st_ino
    assert script_a.stat().st_nlink == 3  # two sites and the store
    plotly_a, plotly_b = dist / "lindenhaven/assets/js/plotly.min.js", dist / "eikendaal/assets/js/plotly.min.js"
    assert plotly_a.stat().st_ino == plotly_b.stat().st_ino and plotly_a.stat().st_size > 1_000_000
    # Per-site files are never shared: the stylesheet holds each municipality's own tokens.
    css_a, css_b = dist / "lindenhaven/assets/css/site.css", dist / "eikendaal/assets/css/site.css"
    assert css_a.stat().st_ino != css_b.stat().st_ino and css_a.stat().st_nlink == 1


def test_a_changed_theme_file_leaves_no_stale_copy_in_the_store(tmp_path):
    project = two_municipalities(tmp_path / "project")
    build(project)
    before = blobs(project)
    script = project / "themes/default/static/js/forms.js"
    script.write_text(script.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    build(project)
    after = blobs(project)
    assert len(after) == len(before) and after != before
    for site in ("lindenhaven", "eikendaal"):
        assert (project / "dist" / site / "assets/js/forms.js").read_text(encoding="utf-8").endswith("// changed\n")
