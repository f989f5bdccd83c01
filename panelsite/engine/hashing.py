"""The hashes of the build, in one place: output keys, blob names, ``?v=`` versions, source hashes.

All are SHA-256 in hex. :func:`content_hash` names bytes (a source file, a blob, an asset);
:func:`digest` combines any number of parts into a key (an output's inputs); :func:`tree_digest`
hashes a folder (a theme); :func:`code_digest` is panelsite's own code, so a new version
re-renders everything. surveys/ hashes its own sources with hashlib: it imports nothing of
the engine (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_BLOB_NAMES: dict[bytes, str] = {}  # content → hash, for the big files every site links (plotly.js)


def content_hash(data: bytes) -> str:
    """SHA-256 of ``data``: a source's hash, a blob's name, the ``?v=`` of an asset URL."""
    # Hashing plotly.js (4.8 MB) for every site cost 2 ms each; a bytes object caches its
    # own hash(), so looking the same object up again is free.
    if len(data) < 1 << 16:
        return hashlib.sha256(data).hexdigest()
    if data not in _BLOB_NAMES:
        if len(_BLOB_NAMES) >= 16:
            _BLOB_NAMES.clear()
        _BLOB_NAMES[data] = hashlib.sha256(data).hexdigest()
    return _BLOB_NAMES[data]


def digest(*parts: object) -> str:
    """One key for many parts: bytes as they are, anything else as its str(), each ended by NUL."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def tree_digest(*folders: Path) -> str:
    """Hash of every file (name and bytes) below the folders."""
    h = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


_CODE_DIGEST: str | None = None


def code_digest() -> str:
    """Hash of panelsite's own code: a new version re-renders everything."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        _CODE_DIGEST = tree_digest(Path(__file__).parent.parent)  # the whole panelsite package
    return _CODE_DIGEST
