"""The Pagefind index of a site, in its ``pagefind/`` folder.

Built from the pages as staged for this build, so it holds exactly what the public site holds:
a survey under embargo or a draft page is not rendered, so it is not found either. Pages mark
what is indexed with ``data-pagefind-body`` on ``<main>`` (themes/default/templates/base.html):
every page with a canonical URL, not the 404 page, the confirmation pages, the e-mail version of a
factsheet or the search page itself; the menu and footer are never indexed.

Pagefind comes from PyPI (``pagefind[bin]`` ships the binary, pinned in constraints.txt): nothing
is downloaded while building. The index is made again only when a page changed (its key is the
hash of every page's key); otherwise the previous index is linked into the new site as it is.
A new output folder (a clean CI build) takes the index from the build cache (engine/cache.py)
when the staged pages are byte for byte those it was made from.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from panelsite.engine.hashing import digest
from panelsite.engine.writer import dir_mode, file_mode
from panelsite.errors import BuildError, Problem

FOLDER = "pagefind/"
LANGUAGE = "nl"  # the sites are Dutch: Dutch stemming, one index
# Pagefind's own interfaces: the search page uses pagefind.js with a script of its own (search.js)
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


@dataclass
class IndexResult:
    files: list[str]  # site paths of the index files
    built: bool  # False: the previous index was reused
    seconds: float
    size: int  # bytes of all index files


def version() -> str:
    from importlib import metadata

    return metadata.version("pagefind_bin")


def executable() -> str:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise BuildError(Problem("pagefind", "the search index needs the pagefind binary, which is not installed "
                                             "(bash scripts/install.sh installs it: pip's pagefind[bin])")) from None
    return str(get_executable())


def add_index(stage: Path, manifest: dict, previous: dict, reuse, hashed, cache=None, slot: str = "") -> IndexResult:
    """Index the HTML staged in ``stage``; the index files join ``manifest``.

    ``reuse(path)`` links an unchanged file from the current site into the stage (StagedSite.reuse);
    ``cache``, the build cache, keeps the site's last index (in ``slot``) by the hash of the staged
    pages' bytes, each from ``hashed(path)`` (StagedSite.content_hash).
    """
    started = time.perf_counter()
    pages = sorted((path, entry["key"]) for path, entry in manifest.items() if path.endswith(".html"))
    key = digest("pagefind", version(), LANGUAGE, *pages)
    old = sorted(path for path in previous if path.startswith(FOLDER))
    built = False
    if not (old and all(previous[p].get("key") == key for p in old) and all(reuse(p) for p in old)):
        folder = stage / FOLDER
        # Links to the current site's files must go before Pagefind writes: writing into one would
        # change the live site's file through the link.
        shutil.rmtree(folder, ignore_errors=True)
        _index(stage, [path for path, _ in pages], cache, slot, hashed)
        sizes = _finish_files(stage)
        old = sorted(sizes)
        built = True
    else:
        sizes = {p: (stage / p).stat().st_size for p in old}
    for path in old:
        manifest[path] = {"key": key, "links": []}
    return IndexResult(old, built, time.perf_counter() - started, sum(sizes.values()))


def _index(stage: Path, pages: list[str], cache, slot: str, hashed) -> None:
    """Pagefind's index of the staged pages in ``stage/pagefind/``: from the build cache when these
    very bytes were indexed before, else made (and kept there)."""
    folder = stage / FOLDER
    files = None
    if cache is not None:
        key = digest("pagefind", version(), LANGUAGE, *[(p, hashed(p)) for p in pages])
        files = cache.load_slot("search", slot, key)
    if files is None:
        _run(stage)
        for name in UNUSED:
            (folder / name).unlink(missing_ok=True)
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
        if cache is not None:
            cache.store_slot("search", slot, key, files)
        return
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _run(stage: Path) -> None:
    command = [executable(), "--site", str(stage), "--output-subdir", FOLDER.rstrip("/"), "--force-language",
               LANGUAGE, "--silent"]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not (stage / FOLDER / "pagefind-entry.json").is_file():
        said = (proc.stderr or proc.stdout).strip().splitlines()
        raise BuildError(Problem("pagefind", f"the search index could not be built: "
                                             f"{said[-1] if said else f'exit code {proc.returncode}'}"))


def _finish_files(stage: Path) -> dict[str, int]:
    """Site path → size of every file of the index, in one pass over the folder; each gets 0755
    or 0644 like every file of the site (panelsite.engine.writer), whatever Pagefind's umask did.
    Pagefind makes every file and folder the same way, so when its folder and its entry file
    already have those modes (the usual umask, 022) nothing is changed."""
    folder = stage / FOLDER
    fix = (stat.S_IMODE(folder.stat().st_mode) != dir_mode()
           or stat.S_IMODE((folder / "pagefind-entry.json").stat().st_mode) != file_mode())
    sizes: dict[str, int] = {}
    for directory, _dirs, files in os.walk(folder):
        if fix:
            os.chmod(directory, dir_mode())
        for name in files:
            path = os.path.join(directory, name)
            if fix:
                os.chmod(path, file_mode())
            sizes[os.path.relpath(path, stage).replace(os.sep, "/")] = os.stat(path).st_size
    return sizes
