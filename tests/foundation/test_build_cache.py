"""The build cache (panelsite/engine/cache.py): a hit makes the very bytes a miss makes, a changed
input is a miss, and a damaged entry is made again instead of read (issue 20)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from panelsite.config import kept
from panelsite.engine import cache, hashing, pdf, pipeline, render
from panelsite.errors import captured

REPO = Path(__file__).resolve().parents[2]
SLUG = "lindenhaven"
WARNINGS: dict[Path, list] = {}  # output folder → the warnings its build reported


@pytest.fixture
def project(tmp_path) -> Path:
    """A writable copy of the demo project with one municipality's content (its surveys, factsheets, forms)."""
    root = tmp_path / "project"
    for part in ("municipalities", "themes", "content/_shared", f"content/{SLUG}"):
        shutil.copytree(REPO / part, root / part)
    return root


RENDERED: dict[Path, int] = {}  # output folder → how many files its build rendered


def build(root: Path, out: Path, cache_dir: Path, today: dt.date = dt.date(2026, 11, 28)) -> dict[str, bytes]:
    """``build.py --only lindenhaven --out OUT --cache-dir CACHE`` in this process; every file it wrote.

    Compiled templates and the house style's colours are also kept in this process's memory:
    forgotten first, so each build reads them from the cache folder as a new process does.
    """
    render.BYTECODE.store.clear()
    kept.forget()
    options = pipeline.Options(root=root, out=out, only=[SLUG], jobs=1, progress=False, today=today,
                               cache_dir=cache_dir)
    with captured() as said:
        RENDERED[out] = sum(result.rendered for result in pipeline.build(options))
    WARNINGS[out] = said
    site = out / SLUG
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def counted(root: Path, out: Path, cache_dir: Path) -> tuple[dict[str, bytes], dict[str, int]]:
    """build(), with how many entries it found, missed and stored (in all and by kind, as "hits.sites"),
    and the PDFs it rendered."""
    cache.stats.clear()
    cache.stats.update(hits=0, misses=0, stored=0)
    pdf.stats.update(rendered=0, cached=0)
    files = build(root, out, cache_dir)
    return files, {**cache.stats, "pdfs_rendered": pdf.stats["rendered"], "pdfs_cached": pdf.stats["cached"]}


def assert_same_files(first: dict[str, bytes], second: dict[str, bytes]) -> None:
    assert sorted(first) == sorted(second)
    different = [path for path in first if first[path] != second[path]]
    assert different == []


def test_a_clean_build_with_the_cache_kept_makes_the_same_bytes_and_redoes_nothing(project, tmp_path):
    store = tmp_path / "cache"
    cold, missed = counted(project, tmp_path / "cold", store)
    assert missed["hits"] == 0 and missed["pdfs_rendered"] > 0
    assert {k for k in missed if k.startswith("stored.")} == {f"stored.{kind}" for kind in (
        "palette", "logo", "responses", "register", "analyses", "search", "sites")}
    warm, found = counted(project, tmp_path / "warm", store)  # a new, empty output folder: a clean CI build
    assert found["misses"] == 0 and found["stored"] == 0 and found["hits.sites"] == 1
    assert found["pdfs_rendered"] == 0
    assert len(cold) > 100  # every page, PDF, data file and asset of the site
    assert_same_files(cold, warm)
    assert WARNINGS[tmp_path / "warm"] == WARNINGS[tmp_path / "cold"]  # the same warnings too


def test_after_a_change_every_pdf_and_analysis_the_change_does_not_touch_comes_from_the_cache(project, tmp_path):
    store = tmp_path / "cache"
    cold, missed = counted(project, tmp_path / "cold", store)
    page = project / "content/_shared/contact.md"  # a page every site has: every site's inputs changed
    page.write_text(page.read_text(encoding="utf-8") + "\nEen zin erbij.\n", encoding="utf-8")
    warm, found = counted(project, tmp_path / "warm", store)
    assert found["pdfs_rendered"] == 0 and "misses.analyses" not in found and "misses.responses" not in found
    # The site's files from the last build whose own inputs did not change are taken as they were:
    # the edited page and the pages that show its title (not the results pages, PDFs, data files).
    assert found["hits.sites"] == 1 and 0 < RENDERED[tmp_path / "warm"] < RENDERED[tmp_path / "cold"] / 4
    fresh = build(project, tmp_path / "fresh", tmp_path / "empty-cache")
    assert_same_files(fresh, warm)
    assert WARNINGS[tmp_path / "warm"] == WARNINGS[tmp_path / "fresh"]  # also those of the files not rendered


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _change_responses(root: Path) -> None:
    _edit(root / f"content/{SLUG}/surveys/afval-2026/responses.csv", "\n1,18-34,vrouw,Centrum,4,8,",
          "\n1,18-34,vrouw,Centrum,2,8,")


def _change_survey(root: Path) -> None:
    _edit(root / f"content/{SLUG}/surveys/afval-2026/survey.yaml", "Zeer tevreden", "Heel erg tevreden")


def _change_municipality(root: Path) -> None:
    _edit(root / f"municipalities/{SLUG}.yaml", "min_n: 10", "min_n: 40")


def _change_register(root: Path) -> None:
    path = root / f"content/{SLUG}/panel/members.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")  # the last member left the file


def _change_template(root: Path) -> None:
    _edit(root / "themes/default/templates/base.html", "</body>", "<!-- gewijzigd --></body>")


@pytest.mark.parametrize("change, kinds", [
    (_change_responses, {"responses", "analyses"}),
    (_change_survey, {"responses", "analyses"}),
    (_change_municipality, {"analyses"}),
    (_change_register, {"register"}),
    (_change_template, {"templates"}),
])
def test_a_changed_input_is_a_miss_and_makes_what_an_empty_cache_makes(project, tmp_path, change, kinds):
    store = tmp_path / "cache"
    build(project, tmp_path / "first", store)
    before = _entries(store)
    change(project)
    warm = build(project, tmp_path / "warm", store)
    cold = build(project, tmp_path / "cold", tmp_path / "empty-cache")
    assert_same_files(cold, warm)
    added = {kind for kind, names in _entries(store).items() if names - before.get(kind, set())}
    assert kinds <= added


def test_another_build_date_moves_a_demonstrations_dates_also_through_the_cache(project, tmp_path, monkeypatch):
    """The demo's dates (fieldwork, members joining) move with the build date (config.dates)."""
    store = tmp_path / "cache"
    build(project, tmp_path / "first", store)
    later = dt.date(2027, 11, 30)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2027, 11, 30, tzinfo=dt.timezone.utc).timestamp())))
    warm = build(project, tmp_path / "warm", store, later)
    cold = build(project, tmp_path / "cold", tmp_path / "empty-cache", later)
    assert_same_files(cold, warm)


def test_a_new_code_version_misses_every_entry(project, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    first = build(project, tmp_path / "first", store)
    before = _entries(store)["templates"]
    monkeypatch.setattr(hashing, "_CODE_DIGEST", "another version of panelsite")
    cache.namespace.cache_clear()
    try:
        files, found = counted(project, tmp_path / "again", store)
    finally:
        cache.namespace.cache_clear()
    assert found["hits"] == 0 and found["stored"] > 0
    assert {e.split("/")[0] for e in _entries(store)["templates"]} > {e.split("/")[0] for e in before}
    assert_same_files(first, files)


def test_damaged_entries_are_made_again_not_read(project, tmp_path):
    store = tmp_path / "cache"
    cold = build(project, tmp_path / "cold", store)
    entries = [p for p in store.rglob("*") if p.is_file()]
    assert {p.relative_to(store).parts[0] for p in entries} == {"palette", "logo", "responses", "analyses", "register",
                                                                    "pdf", "templates", "search", "sites"}
    for i, path in enumerate(entries):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if i % 3 else data[:20] + b"garbage" + data[27:])
    (store / "pdf" / "empty.pdf").write_bytes(b"")
    again = build(project, tmp_path / "again", store)
    assert_same_files(cold, again)
    for path in entries:  # written again, whole
        assert cache.read_entry(path) is not None, path


def test_an_entry_keeps_the_objects_it_shares_and_a_damaged_one_is_missing(tmp_path):
    kept = cache.BuildCache(tmp_path, space="test")
    survey, other = SimpleNamespace(id="the survey"), SimpleNamespace(id="another")
    copy = SimpleNamespace(id="the survey")  # of the same type and equal, but not one of those shared: stored
    kept.store("analyses", "key", {"survey": survey, "figures": [1.5, 2], "copy": copy}, shared=(other, survey))
    value = kept.load("analyses", "key", shared=(other, survey))
    assert value == {"survey": survey, "figures": [1.5, 2], "copy": copy}
    assert value["survey"] is survey and value["copy"] is not copy and value["copy"] is not survey
    with pytest.raises(TypeError, match="instance of a class"):  # the pickler would never ask about a list
        kept.store("analyses", "key", {"survey": ["x"]}, shared=(["x"],))
    assert kept.load("analyses", "another key") is None
    assert cache.BuildCache(tmp_path, space="new code").load("analyses", "key", shared=(other, survey)) is None
    [path] = (tmp_path / "analyses").iterdir()
    path.write_bytes(path.read_bytes()[:-1])
    assert kept.load("analyses", "key", shared=(other, survey)) is None
    # a valid checksum over bytes that are no pickle: missing too
    cache.write_entry(path, b"not a pickle")
    assert kept.load("analyses", "key", shared=(other, survey)) is None
    assert cache.BuildCache(None).load("analyses", "key") is None  # a cache that keeps nothing


def test_prune_removes_what_no_build_used_for_a_while(tmp_path):
    import os
    import time

    for name in ("recent.pdf", "old.pdf", "old-but-named.pdf", ".tmp-being-written", ".tmp-abandoned"):
        (tmp_path / "pdf").mkdir(exist_ok=True)
        (tmp_path / "pdf" / name).write_bytes(b"%PDF-")
    month = time.time() - (cache.KEEP_DAYS + 1) * 86400
    for name in ("old.pdf", "old-but-named.pdf", ".tmp-abandoned"):
        os.utime(tmp_path / "pdf" / name, (month, month))
    assert cache.prune(tmp_path, {"old-but-named"}) == 2
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == [".tmp-being-written", "old-but-named.pdf",
                                                                     "recent.pdf"]
    assert cache.prune(tmp_path / "missing") == 0


def _entries(store: Path) -> dict[str, set[str]]:
    """The entries per kind (the first folder below the cache), as path and hash of the bytes:
    a compiled template is written again under its own name when its source changed."""
    out: dict[str, set[str]] = {}
    for path in store.rglob("*"):
        if path.is_file():
            parts = path.relative_to(store).parts
            out.setdefault(parts[0], set()).add("/".join(parts[1:]) + " " + hashing.content_hash(path.read_bytes()))
    return out


def test_the_cache_folder_is_the_projects_unless_cache_dir_names_another(project, tmp_path, monkeypatch):
    from panelsite.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795824000")
    assert main(["build", "--root", str(project), "--only", SLUG, "--out", str(tmp_path / "a"), "--jobs", "1"]) == 0
    assert (project / ".panelsite-cache" / "build" / "analyses").is_dir()
    elsewhere = tmp_path / "ci-cache"
    render.BYTECODE.store.clear()  # as in a new process: compiled from the files, then kept in the cache
    assert main(["build", "--root", str(project), "--only", SLUG, "--out", str(tmp_path / "b"), "--jobs", "1",
                 "--cache-dir", str(elsewhere)]) == 0
    assert {p.name for p in elsewhere.iterdir()} == {"palette", "logo", "responses", "analyses", "register", "pdf",
                                                     "templates", "search", "sites"}
    assert not (tmp_path / "b" / ".panelsite" / "pdf-cache").exists()  # nothing of the cache in the output folder
    old = tmp_path / "c" / ".panelsite" / "pdf-cache"  # where an older panelsite cached its PDFs
    old.mkdir(parents=True)
    (old / "0123.pdf").write_bytes(b"%PDF-")
    assert main(["build", "--root", str(project), "--only", SLUG, "--out", str(tmp_path / "c"), "--jobs", "1"]) == 0
    assert not old.exists()
