"""Incremental builds: unchanged outputs are reused (hard-linked), changed inputs re-render only what
depends on them."""

from __future__ import annotations

from pathlib import Path

from .conftest import build


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def rerendered(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """Files that were written again (a reused file is a hard link: same inode)."""
    return {path for path, ino in after.items() if before.get(path) != ino}


ALWAYS_WRITTEN = {"sitemap.xml", "robots.txt"}  # cheap, written by every build
SEARCH_INDEX = "pagefind/"  # made again from all pages whenever one changed (panelsite/search/index.py)


def without_index(paths: set[str]) -> set[str]:
    return {p for p in paths if not p.startswith(SEARCH_INDEX)}


def test_a_rebuild_without_changes_renders_nothing(small_project):
    first = build(small_project)["lindenhaven"]
    site = small_project / "dist" / "lindenhaven"
    before = inodes(site)
    index = {path for path in before if path.startswith(SEARCH_INDEX)}
    assert index and first.rendered == first.files - len(ALWAYS_WRITTEN) - len(index)
    again = build(small_project)["lindenhaven"]
    assert again.rendered == 0 and (again.pages, again.files) == (first.pages, first.files)
    # Built from the same inputs and intact: the site is not even staged again (engine/uptodate.py).
    assert rerendered(before, inodes(site)) == set()


def test_editing_one_page_renders_only_that_page(small_project):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    before = inodes(site)
    page = small_project / "content" / "lindenhaven" / "over-de-gemeente.md"
    page.write_text(page.read_text(encoding="utf-8").replace("rivier", "brede rivier"), encoding="utf-8")
    result = build(small_project)["lindenhaven"]
    changed = rerendered(before, inodes(site))
    assert without_index(changed) == {"over-de-gemeente/index.html"} | ALWAYS_WRITTEN
    assert result.rendered == 1  # and the search index is made again from the pages
    assert "brede rivier" in (site / "over-de-gemeente" / "index.html").read_text(encoding="utf-8")


def test_editing_a_factsheet_renders_only_that_surveys_factsheet_outputs(small_project):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    before = inodes(site)
    factsheet = small_project / "content" / "lindenhaven" / "surveys" / "afval-2026" / "factsheet.md"
    factsheet.write_text(factsheet.read_text(encoding="utf-8").replace("Gft bij flats", "Gft bij de flats"),
                         encoding="utf-8")
    result = build(small_project)["lindenhaven"]
    changed = rerendered(before, inodes(site)) - ALWAYS_WRITTEN
    assert result.rendered == len(without_index(changed))
    assert "resultaten/afval-2026/factsheet/index.html" in changed
    assert "Gft bij de flats" in (site / "resultaten/afval-2026/factsheet/index.html").read_text(encoding="utf-8")
    # only the factsheet's own files (the page, its PDF and e-mail versions) and the overview of
    # measures, which lists every factsheet's measures
    assert all(path.startswith("resultaten/afval-2026/factsheet") or path == "wat-doen-we-ermee/index.html"
               for path in without_index(changed)), sorted(changed)


def test_editing_survey_data_leaves_other_surveys_alone(small_project):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    before = inodes(site)
    survey = small_project / "content" / "lindenhaven" / "surveys" / "afval-2025" / "survey.yaml"
    text = survey.read_text(encoding="utf-8")
    survey.write_text(text.replace("title: Afvalinzameling 2025", "title: De afvalinzameling 2025"), encoding="utf-8")
    build(small_project)
    changed = rerendered(before, inodes(site))
    assert "resultaten/afval-2025/index.html" in changed
    assert "privacy/index.html" not in changed and "over-de-gemeente/index.html" not in changed
