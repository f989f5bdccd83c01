"""Embargo and drafts, reproducible builds and the Atom feed of results."""

from __future__ import annotations

import filecmp
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from panelsite.engine import pipeline
from panelsite.engine.options import build_date
from panelsite.errors import ConfigError, reporting

from .conftest import build

ATOM = "{http://www.w3.org/2005/Atom}"


def embargo(project: Path, survey: str, publish_on: str) -> None:
    path = project / "content" / "lindenhaven" / "surveys" / survey / "survey.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [f"publish_on: {publish_on}" if line.startswith("publish_on:") else line for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def draft_page(project: Path) -> None:
    (project / "content" / "lindenhaven" / "plannen.md").write_text(
        "---\ntitle: Plannen voor volgend jaar\ndraft: true\nnav_order: 60\n---\nNog niet af.\n", encoding="utf-8")


# -- embargo and drafts ------------------------------------------------------


def test_surveys_under_embargo_and_draft_pages_are_left_out(small_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01
    embargo(small_project, "afval-2026", "2027-06-01")
    draft_page(small_project)
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    assert (site / "resultaten" / "afval-2025" / "index.html").is_file()
    assert not (site / "resultaten" / "afval-2026").exists()
    assert not (site / "plannen").exists()
    everything = "".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*")
                         if p.suffix in (".html", ".xml", ".txt", ".json"))
    assert "afval-2026" not in everything and "Plannen voor volgend jaar" not in everything


def test_drafts_flag_includes_them(small_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")
    embargo(small_project, "afval-2026", "2027-06-01")
    draft_page(small_project)
    build(small_project, drafts=True)
    site = small_project / "dist" / "lindenhaven"
    assert (site / "resultaten" / "afval-2026" / "index.html").is_file()
    assert "Plannen voor volgend jaar" in (site / "plannen" / "index.html").read_text(encoding="utf-8")


def test_embargo_lifts_on_the_publication_day(small_project, monkeypatch):
    embargo(small_project, "afval-2026", "2027-06-01")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1811721600")  # 2027-05-31 00:00 UTC
    assert build_date().isoformat() == "2027-05-31"
    build(small_project)
    assert not (small_project / "dist/lindenhaven/resultaten/afval-2026").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1811808000")  # 2027-06-01
    build(small_project)
    assert (small_project / "dist/lindenhaven/resultaten/afval-2026/index.html").is_file()


# -- reproducible builds -----------------------------------------------------


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_two_builds_with_source_date_epoch_are_byte_identical(small_project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")
    build(small_project, tmp_path / "one")
    build(small_project, tmp_path / "two")
    one, two = tmp_path / "one" / "lindenhaven", tmp_path / "two" / "lindenhaven"
    files = tree(one)
    assert files == tree(two) and len(files) > 20
    different = [f for f in files if not filecmp.cmp(one / f, two / f, shallow=False)]
    assert different == []


# -- the Atom feed ------------------------------------------------------------


def test_the_feed_lists_the_published_results(small_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    feed = ET.parse(site / "resultaten" / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "urn:panelsite:lindenhaven:resultaten"
    assert feed.findtext(f"{ATOM}title") == "Lindenhaven Spreekt: resultaten"
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Lindenhaven"
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "https://panel.lindenhaven.nl/resultaten/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == ["urn:panelsite:lindenhaven:resultaten:afval-2026",
                                                         "urn:panelsite:lindenhaven:resultaten:afval-2025"]
    newest = entries[0]
    assert newest.findtext(f"{ATOM}title") == "Afvalinzameling 2026"
    assert newest.findtext(f"{ATOM}updated") == "2026-04-15T00:00:00Z"
    assert newest.find(f"{ATOM}link").get("href") == "https://panel.lindenhaven.nl/resultaten/afval-2026/"
    assert newest.findtext(f"{ATOM}summary").startswith("De tweede meting van de afvalmonitor.")
    # the feed changes when results are published, not when the clock moves
    assert feed.findtext(f"{ATOM}updated") == "2026-04-15T00:00:00Z"


def test_every_page_links_the_feed_and_the_results_index_shows_it(small_project):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml"' in home and 'href="resultaten/feed.xml"' in home
    index = (site / "resultaten" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../resultaten/feed.xml">feed met nieuwe resultaten</a>' in index


def test_the_feed_follows_the_base_url_and_ignores_the_build_date(small_project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")
    build(small_project, tmp_path / "a", base_url="https://preview.example/pr-7/")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1830297600")  # a year later
    build(small_project, tmp_path / "b", base_url="https://preview.example/pr-7/")
    a = (tmp_path / "a/lindenhaven/resultaten/feed.xml").read_bytes()
    assert a == (tmp_path / "b/lindenhaven/resultaten/feed.xml").read_bytes()
    assert b'href="https://preview.example/pr-7/resultaten/afval-2026/"' in a


def test_no_feed_without_published_results(small_project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")
    embargo(small_project, "afval-2025", "2030-01-01")
    embargo(small_project, "afval-2026", "2030-01-01")
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    assert not (site / "resultaten" / "feed.xml").exists()
    assert "application/atom+xml" not in (site / "index.html").read_text(encoding="utf-8")


def test_a_broken_link_in_a_factsheet_names_the_factsheet_and_its_line(small_project):
    factsheet = small_project / "content" / "lindenhaven" / "surveys" / "afval-2026" / "factsheet.md"
    lines = factsheet.read_text(encoding="utf-8").splitlines()
    lines.append("Zie ook [de meting van 2024](/resultaten/afval-2024/).")
    factsheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:  # the editor's mistake: exit 2
        build(small_project)
    assert [str(p) for p in info.value.problems] == [
        f'content/lindenhaven/surveys/afval-2026/factsheet.md:{len(lines)}: broken internal link '
        '"/resultaten/afval-2024/" (no page at that path)']


def test_the_build_date_is_the_dutch_calendar_day(monkeypatch):
    # 23:30 UTC on 14 April is 01:30 on 15 April in Amsterdam (summer time): publish_on 15 April is due
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1776209400")  # 2026-04-14T23:30:00Z
    assert build_date().isoformat() == "2026-04-15"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1776202200")  # 2026-04-14T21:30:00Z, 23:30 there
    assert build_date().isoformat() == "2026-04-14"


def test_the_build_warns_about_measures_past_their_date(small_project, monkeypatch):
    from .conftest import options

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1830297600")  # 2028-01-01: every planned demo measure is late
    lines: list[str] = []
    with reporting(lines.append):
        pipeline.build(options(small_project, jobs=2))
    late = [line for line in lines if "was expected by" in line]
    assert late and all(line.startswith("warning: content/lindenhaven/surveys/afval-20") for line in late)
    assert len(late) == len(set(late))  # each once, though found in a worker


def test_a_factsheet_waits_for_its_survey_s_responses(small_project):
    from .conftest import options

    (small_project / "content" / "lindenhaven" / "surveys" / "afval-2026" / "responses.csv").unlink()
    lines: list[str] = []
    with reporting(lines.append):
        pipeline.build(options(small_project))
    site = small_project / "dist" / "lindenhaven" / "resultaten"
    assert "volgen binnenkort" in (site / "afval-2026" / "index.html").read_text(encoding="utf-8")
    assert not (site / "afval-2026" / "factsheet").exists() and not (site / "afval-2026" / "factsheet.pdf").exists()
    assert (site / "afval-2025" / "factsheet.pdf").is_file()
    assert ("warning: content/lindenhaven/surveys/afval-2026/factsheet.md: not published yet: survey afval-2026 "
            'has no responses.csv, so every figure would read "–"') in lines
