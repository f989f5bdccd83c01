"""What a deploy sends, in which order, and with which headers.

Every file of a built site is of one :class:`Kind`, and the kinds are uploaded in passes, one after
the other, so that a visitor who loads a page while a deploy runs never gets a page whose
stylesheet, script, chart data or download is not there yet:

1. ``assets``: everything under ``assets/``. Pages link them as ``site.css?v=<hash of its bytes>``
   (:meth:`panelsite.engine.site.Site.asset_version`), so a changed file gets a new URL and a
   cache may keep each URL for a year, unasked (``immutable``).
2. ``downloads``: the other files pages link to (PDF, CSV, JSON, images).
3. ``pages``: the HTML.
4. ``indexes``: what lists the pages (``sitemap.xml``, ``robots.txt``, the Atom feed, the entry
   file of the search index, whose other files went up with the downloads).

Files the destination has and the site no longer has ("stale") are deleted only after the last
pass: until then an old page may still link to them. Within a pass, files the destination does
not have yet go before changed ones: no page there links to a new file yet, and the changed page
that will link to it comes after it.

Whether a file changed is decided by its SHA-256 against the destination's record of the last
deploy (:data:`STATE_FILE`, written at the destination by every deploy), checked against what the
destination really holds: a record whose file is gone, or whose size or S3 ETag or modification
time differs (someone changed it, or a deploy stopped half-way), does not count, and the file is
sent again.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import posixpath
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATE_FILE = ".panelsite-deploy.json"
STATE_FORMAT = 1


@dataclass(frozen=True)
class Kind:
    name: str
    cache_control: str


# Versioned URLs (?v=): kept a year without asking again. Everything else is revalidated on every
# visit ("no-cache": the cache asks, the server answers 304 while unchanged), so a corrected page
# or an embargo lifted at midnight is seen at once.
ASSETS = Kind("assets", "public, max-age=31536000, immutable")
DOWNLOADS = Kind("downloads", "no-cache")
PAGES = Kind("pages", "no-cache")
INDEXES = Kind("indexes", "no-cache")
KINDS = (ASSETS, DOWNLOADS, PAGES, INDEXES)  # the order of the passes

# pagefind-entry.json names the index's other files (named by their hashes): it goes after the pages
_INDEX_FILES = {"robots.txt", "sitemap.xml", "pagefind/pagefind-entry.json"}


def kind_of(path: str) -> Kind:
    if path.startswith("assets/"):
        return ASSETS
    if path.endswith(".html"):
        return PAGES
    if path in _INDEX_FILES or path.endswith(".xml"):  # .xml: the feeds
        return INDEXES
    return DOWNLOADS


# A fixed table, not the machine's /etc/mime.types: the same site gets the same headers from any
# machine that deploys it.
_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
    ".json": "application/json", ".jsonld": "application/ld+json", ".map": "application/json",
    ".csv": "text/csv", ".txt": "text/plain", ".md": "text/markdown",
    ".xml": "application/xml", ".rdf": "application/rdf+xml", ".ttl": "text/turtle",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".pdf": "application/pdf", ".woff2": "font/woff2", ".woff": "font/woff",
    ".webmanifest": "application/manifest+json", ".wasm": "application/wasm",
}
_BUILTIN_TYPES = mimetypes.MimeTypes(filenames=())  # Python's own table only
_ATOM = b"http://www.w3.org/2005/Atom"


def content_type(path: str, head: bytes = b"") -> str:
    """The Content-Type of a site file; text says it is UTF-8 (everything the build writes is)."""
    suffix = posixpath.splitext(path)[1].lower()
    kind = _TYPES.get(suffix) or _BUILTIN_TYPES.guess_type(path)[0] or "application/octet-stream"
    if suffix == ".xml" and _ATOM in head:
        kind = "application/atom+xml"
    textual = kind.startswith("text/") or kind.endswith(("+xml", "+json", "/json", "/xml", "/javascript"))
    return kind + "; charset=utf-8" if textual else kind


@dataclass(frozen=True)
class SiteFile:
    """One file of the built site."""

    path: str  # inside the site, with /
    local: Path
    size: int
    sha256: str
    kind: Kind
    content_type: str

    @property
    def cache_control(self) -> str:
        return self.kind.cache_control


@dataclass(frozen=True)
class RemoteFile:
    """One file the destination holds: its size and what the destination says identifies its bytes."""

    path: str
    size: int
    fingerprint: str  # S3: the ETag; a folder or rsync: size and modification time


@dataclass(frozen=True)
class Record:
    """What the last deploy wrote at a path (kept at the destination in :data:`STATE_FILE`)."""

    sha256: str
    content_type: str
    cache_control: str
    fingerprint: str

    @classmethod
    def of(cls, file: SiteFile, fingerprint: str) -> "Record":
        return cls(file.sha256, file.content_type, file.cache_control, fingerprint)

    def describes(self, file: SiteFile, remote: RemoteFile | None) -> bool:
        return (remote is not None and remote.fingerprint == self.fingerprint and remote.size == file.size
                and (self.sha256, self.content_type, self.cache_control)
                == (file.sha256, file.content_type, file.cache_control))


def scan_site(folder: Path) -> list[SiteFile]:
    """Every file of the site in ``folder``, hashed, sorted by path."""
    files = []
    for directory, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            local = Path(directory) / name
            path = local.relative_to(folder).as_posix()
            if path == STATE_FILE or local.is_symlink():
                continue
            h = hashlib.sha256()
            with open(local, "rb") as f:
                head = f.read(1024)
                h.update(head)
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            files.append(SiteFile(path, local, local.stat().st_size, h.hexdigest(), kind_of(path),
                                  content_type(path, head)))
    return sorted(files, key=lambda f: f.path)


# -- the destination's record ----------------------------------------------------------------

def read_state(data: bytes | None) -> dict[str, Record] | None:
    """The records of the last deploy; None when the destination has none, {} when it is unreadable."""
    if data is None:
        return None
    try:
        raw = json.loads(data)
        if raw.get("format") != STATE_FORMAT:
            return {}
        return {path: Record(**entry) for path, entry in raw["files"].items()}
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}  # sent again, all of it: never trust a record we cannot read


def state_bytes(slug: str, records: dict[str, Record]) -> bytes:
    files = {path: asdict(records[path]) for path in sorted(records)}
    return (json.dumps({"format": STATE_FORMAT, "site": slug, "files": files}, indent=1) + "\n").encode()


# -- the plan --------------------------------------------------------------------------------

@dataclass
class Pass:
    kind: Kind
    files: list[SiteFile]  # new ones first, then changed ones
    new: int = 0

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)


@dataclass
class Plan:
    site: list[SiteFile]
    passes: list[Pass]  # only kinds with something to send, in upload order
    unchanged: list[SiteFile]
    stale: list[str]  # paths at the destination that the site does not have
    known: bool  # the destination has the record of an earlier deploy
    records: dict[str, Record] = field(default_factory=dict)

    @property
    def uploads(self) -> list[SiteFile]:
        return [f for p in self.passes for f in p.files]

    @property
    def changes_nothing(self) -> bool:
        return not self.passes and not self.stale


def make_plan(site: list[SiteFile], inventory: dict[str, RemoteFile], state: dict[str, Record] | None) -> Plan:
    records = state or {}
    passes, unchanged = [], []
    for kind in KINDS:
        new, changed = [], []
        for file in (f for f in site if f.kind is kind):
            remote = inventory.get(file.path)
            record = records.get(file.path)
            if record is not None and record.describes(file, remote):
                unchanged.append(file)
            else:
                (changed if remote is not None else new).append(file)
        if new or changed:
            passes.append(Pass(kind, new + changed, len(new)))
    paths = {f.path for f in site}
    stale = sorted(p for p in inventory if p not in paths and p != STATE_FILE)
    return Plan(site, passes, unchanged, stale, known=state is not None, records=dict(records))


def emptied_folders(deleted: list[str], remaining: set[str]) -> list[str]:
    """Folders that hold none of ``remaining`` once ``deleted`` are gone, deepest first."""
    keep = {parent for path in remaining for parent in _parents(path)}
    folders = {parent for path in deleted for parent in _parents(path)} - keep
    return sorted(folders, key=lambda d: (-d.count("/"), d))


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def size_text(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"
