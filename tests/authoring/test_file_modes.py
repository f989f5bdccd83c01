"""A built site is readable by the web server's user after a copy that keeps modes (rsync -a)."""

from __future__ import annotations

import os
import stat

import pytest

from panelsite.engine import writer

from .conftest import build


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    writer._umask.cache_clear()  # the writer reads the umask once per process
    yield
    os.umask(old)
    writer._umask.cache_clear()


def modes(site):
    return {p.relative_to(site).as_posix() or ".": stat.S_IMODE(p.stat().st_mode)
            for p in [site, *site.rglob("*")]}


def test_every_folder_is_0755_and_every_file_readable_by_others(small_project, umask_022):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    found = modes(site)
    folders = {path: mode for path, mode in found.items() if (site / path).is_dir()}
    files = {path: mode for path, mode in found.items() if (site / path).is_file()}
    assert folders["."] == 0o755 and "assets/js" in folders and "resultaten" in folders
    assert {path for path, mode in folders.items() if mode != 0o755} == set()
    assert "assets/js/plotly.min.js" in files and "index.html" in files  # a shared blob and a page
    assert {path for path, mode in files.items() if mode & 0o044 != 0o044} == set()


def test_blobs_stored_0600_by_an_older_build_become_readable(small_project, umask_022):
    build(small_project)
    blobs = small_project / "dist" / ".panelsite" / "blobs"
    for blob in blobs.iterdir():
        blob.chmod(0o600)
    # An older panelsite recorded no fingerprint (engine/uptodate.py), so the site is staged again.
    for record in (small_project / "dist" / ".panelsite" / "inputs").iterdir():
        record.unlink()
    build(small_project)  # nothing changed: every file is linked from the previous site
    site = small_project / "dist" / "lindenhaven"
    assert stat.S_IMODE((site / "assets/js/forms.js").stat().st_mode) == 0o644
    assert {p.name for p in site.rglob("*") if p.is_file() and p.stat().st_mode & 0o044 != 0o044} == set()


def test_the_folders_follow_a_stricter_umask(small_project):
    old = os.umask(0o027)
    writer._umask.cache_clear()
    try:
        build(small_project)
    finally:
        os.umask(old)
        writer._umask.cache_clear()
    site = small_project / "dist" / "lindenhaven"
    assert stat.S_IMODE(site.stat().st_mode) == 0o750
    assert stat.S_IMODE((site / "index.html").stat().st_mode) == 0o640
