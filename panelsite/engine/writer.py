"""Writing a site: internal link check, sitemap, robots.txt and the atomic swap.

Files are written to a temporary folder next to the target; only when the
whole site is complete is it renamed into place, so a failed build leaves the
previous site untouched. Unchanged outputs of an incremental build are
hard-linked from the previous site instead of being rendered again.

Files that are the same for many sites (theme scripts and stylesheets, the one
copy of plotly.js) are stored once by content in ``<out>/.panelsite/blobs/``
and hard-linked into every site: creating a file costs far more than linking
one, and plotly.js alone is 4.8 MB per site. A blob no site links to any more
is removed by :func:`prune_blobs`.

Folders are made 0755 and files 0644 (less the umask), also the staging folder
and the blobs that tempfile would make private: the site is copied as it is
(``rsync -a``) to a web server that reads it as another user.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import shutil
import stat
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from panelsite.engine.hashing import content_hash

LINK = re.compile(r'\s(?:href|src)="([^"]*)"')
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def internal_links(html: str) -> list[str]:
    """Every page-relative or path-absolute link target in an HTML document."""
    found = []
    for target in LINK.findall(html):
        target = target.replace("&amp;", "&")
        if not target or target.startswith("#") or EXTERNAL.match(target):
            continue
        found.append(target)
    return found


def resolve(source_file: str, target: str, base_path: str) -> str:
    """Site-relative file path a link from ``source_file`` points to."""
    target = target.split("#", 1)[0].split("?", 1)[0]
    if target.startswith("/"):
        if not target.startswith(base_path):
            return "\0outside"
        joined = target[len(base_path):]
    else:
        joined = posixpath.join(posixpath.dirname(source_file), target)
    normal = posixpath.normpath(joined) if joined else "."
    if normal.startswith(".."):
        return "\0outside"
    if normal == ".":
        normal = ""
    if target.endswith("/") or normal == "":
        normal = (normal + "/" if normal else "") + "index.html"
    return normal


def broken_links(links: dict[str, list[str]], files: set[str], base_path: str) -> list[tuple[str, str]]:
    """(source file, link) pairs whose target is not among ``files``."""
    broken = []
    for source, targets in sorted(links.items()):
        for target in targets:
            path = resolve(source, target, base_path)
            if path in files or (path + "/index.html") in files:
                continue
            broken.append((source, target))
    return broken


def sitemap(base_url: str, page_paths: list[str]) -> bytes:
    urls = "".join(f"  <url><loc>{escape(base_url + p)}</loc></url>\n" for p in sorted(page_paths))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n").encode()


def robots(base_url: str, index: bool = True) -> bytes:
    """robots.txt; ``index=False`` for preview builds, which hold results still under embargo."""
    if not index:
        return b"User-agent: *\nDisallow: /\n"
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n".encode()


@functools.cache
def _umask() -> int:
    # os.umask can only be read by setting it, which races with threads creating files
    # meanwhile (the live preview builds beside the collector); Linux shows it in /proc.
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def dir_mode() -> int:
    return 0o755 & ~_umask()


def file_mode() -> int:
    return 0o644 & ~_umask()


def _make_dirs(folder: Path) -> None:
    """``mkdir -p`` with :func:`dir_mode` at every level (pathlib gives the parents 0777 & ~umask)."""
    try:
        folder.mkdir(mode=0o755)
    except FileExistsError:
        return
    except FileNotFoundError:
        _make_dirs(folder.parent)
        folder.mkdir(mode=0o755, exist_ok=True)


class StagedSite:
    """A site being written into a temporary folder beside ``target``."""

    def __init__(self, target: Path, blobs: Path | None = None):
        self.target = target
        self.blobs = blobs
        target.parent.mkdir(parents=True, exist_ok=True)
        # The pid in the name tells a later build whether the process that wrote it still runs.
        self.stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-{os.getpid()}-", dir=target.parent))
        # mkdtemp makes it 0700, and it becomes the site: a web server reading a copy made with
        # rsync -a (which keeps modes) would get 403 for every page.
        os.chmod(self.stage, dir_mode())
        self._hashes: dict[str, str] = {}  # path → content_hash of the bytes this build wrote there

    def write(self, path: str, data: bytes, shared: bool = False) -> None:
        """Write one file; ``shared`` files are linked to their blob (see the module docstring)."""
        dest = self.stage / path
        _make_dirs(dest.parent)
        if path.endswith(".html"):
            # The search index's cache key hashes every page: reading them all back cost more.
            self._hashes[path] = content_hash(data)
        if shared and self.blobs is not None and _link_blob(self.blobs, data, dest):
            return
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)

    def content_hash(self, path: str) -> str:
        """The hash of the staged file's bytes: remembered when this build wrote it, else read."""
        known = self._hashes.get(path)
        return known if known is not None else content_hash((self.stage / path).read_bytes())

    def reuse(self, path: str) -> bool:
        """Hard-link (or copy) an unchanged file from the current site; False if it is gone."""
        source = self.target / path
        try:
            info = source.stat()
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode):
            return False
        self._hashes.pop(path, None)
        if stat.S_IMODE(info.st_mode) != file_mode():
            _set_mode(source)  # a blob stored 0600 by an older build (a hard link: the same inode)
        dest = self.stage / path
        _make_dirs(dest.parent)
        try:
            os.link(source, dest)
        except OSError:
            shutil.copy2(source, dest)
        return True

    def commit(self) -> None:
        """Swap the finished site into place (two renames; the old one is removed after)."""
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old-{os.getpid()}")
            if old.exists():
                shutil.rmtree(old)
            os.rename(self.target, old)
        os.rename(self.stage, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


_LEFTOVER = re.compile(r"\.[a-z0-9-]+\.(?:build|old)-(\d+)(?:-.*)?")


def remove_abandoned(out: Path) -> list[str]:
    """Remove half-written sites of build processes that no longer run (a Ctrl-C, a killed CI job).

    A stage is only removed once its process is gone, so a build running beside
    this one (the preview rebuilding while a CLI build runs) keeps its own.
    Returns the names removed.
    """
    removed = []
    try:
        entries = list(os.scandir(out))
    except FileNotFoundError:
        return removed
    for entry in entries:
        match = _LEFTOVER.fullmatch(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not process_running(int(match.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.name)
    return removed


def process_running(pid: int) -> bool:
    """Whether a process with this id runs (a build or preview that owns a folder)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _link_blob(blobs: Path, data: bytes, dest: Path) -> bool:
    """Hard-link ``dest`` to the blob holding ``data`` (stored first if new); False if linking fails."""
    blob = blobs / content_hash(data)
    try:
        try:
            mode = stat.S_IMODE(blob.stat().st_mode)
        except FileNotFoundError:
            mode = None
        if mode is not None and mode != file_mode():
            _set_mode(blob)  # stored 0600 by an older build
        if mode is None:
            blobs.mkdir(parents=True, exist_ok=True)
            # Several build processes share the store: write beside it, then link it in
            # place, which (unlike a rename) keeps a blob another process stored meanwhile.
            fd, tmp = tempfile.mkstemp(prefix=".blob-", dir=blobs)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.chmod(tmp, file_mode())  # mkstemp makes it 0600: every site links this inode
                os.link(tmp, blob)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        os.link(blob, dest)
        return True
    except OSError:  # another filesystem, no hard links, or pruned meanwhile: write a copy
        return False


def _set_mode(path: Path) -> None:
    try:
        os.chmod(path, file_mode())
    except OSError:  # not ours to change (another user's build): it stays as it is
        pass


def prune_blobs(blobs: Path) -> int:
    """Remove blobs that no site links to any more (link count 1); returns how many."""
    removed = 0
    if not blobs.is_dir():
        return 0
    for blob in blobs.iterdir():
        try:
            if blob.name.startswith(".blob-") or blob.stat().st_nlink == 1:
                blob.unlink()
                removed += 1
        except OSError:
            continue
    return removed
