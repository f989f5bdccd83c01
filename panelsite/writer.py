"""Writing a site: internal link check, sitemap, robots.txt and the atomic swap.

Files are written to a temporary folder next to the target; only when the
whole site is complete is it renamed into place, so a failed build leaves the
previous site untouched. Unchanged outputs of an incremental build are
hard-linked from the previous site instead of being rendered again.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

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


def robots(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n".encode()


class StagedSite:
    """A site being written into a temporary folder beside ``target``."""

    def __init__(self, target: Path):
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        self.stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))

    def write(self, path: str, data: bytes) -> None:
        dest = self.stage / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)

    def reuse(self, path: str) -> bool:
        """Hard-link (or copy) an unchanged file from the current site; False if it is gone."""
        source = self.target / path
        if not source.is_file():
            return False
        dest = self.stage / path
        dest.parent.mkdir(parents=True, exist_ok=True)
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
