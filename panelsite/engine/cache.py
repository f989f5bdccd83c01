"""The build cache: what is expensive to make, kept on disk by the hash of its inputs.

One folder (``--cache-dir``, default ``ROOT/.panelsite-cache/build``) outlives the output
folder, so a clean build (an empty ``dist/``, as in CI when the cache folder is kept) redoes
nothing whose inputs did not change: the validated response tables and the survey analyses
(``responses/``, ``register/``, ``analyses/``; pickled), the colours computed from
each house style (``palette/``, ``logo/``: config/kept.py), the PDFs (``pdf/``, engine/pdf.py), the
compiled templates (``templates/``, engine/render.py), each site's search index (``search/``,
search/index.py) and each site's files with the site's fingerprint (``sites/``: a municipality
whose inputs did not change is not rendered again at all; engine/pipeline.py). The last two
change with every edit: each keeps one entry per municipality and kind of build (a slot).

Keys. An entry's name is the hash of everything it was made from: its input files' bytes and,
through :func:`namespace`, panelsite's own code, Python's version and the installed libraries
(a pickled pandas table is read back only by the pandas that wrote it). A changed input is a
new name, never a stale hit.

Safety. Entries are written to a temporary file beside them and renamed, so a reader sees a
whole entry or none (several build processes share the folder). A pickled entry starts with
the SHA-256 of the rest: an entry that is cut short or damaged is treated as missing and
written again, never read. A hit touches the entry; :func:`prune` removes what no build used
for :data:`KEEP_DAYS` days (dist/, serve's previews and CI all share the folder, so "unused by
this build" is not "unused").
"""

from __future__ import annotations

import copyreg
import functools
import hashlib
import io
import os
import pickle
import tempfile
import threading
import time
import types
from pathlib import Path

from panelsite.engine.hashing import code_digest, digest

CACHE_DIR = Path(".panelsite-cache") / "build"  # below the project root, git-ignored
KEEP_DAYS = 30
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a killed process
_TEMP_PREFIX = ".tmp-"

# How many entries this process read and wrote, in all and by kind ("hits.analyses"; for tests and benchmarks).
stats: dict[str, int] = {"hits": 0, "misses": 0, "stored": 0}


# Zstandard at its default level: a site's files (5.2 MB pickled) shrink to 0.24 MB in 3 ms, where
# zlib's quickest level took 27 ms for 1.2 MB, and they are read back in a tenth of zlib's time.
# Imported when an entry is read or written: a build with nothing to do never loads it.
ZSTD_LEVEL = 3


def _compress(data: bytes) -> bytes:
    import zstandard

    return zstandard.compress(data, ZSTD_LEVEL)


def _decompress(data: bytes) -> bytes:
    import zstandard

    return zstandard.decompress(data)


# The objects a value being read refers to without holding them (BuildCache.load's ``shared``).
_loading = threading.local()


def _shared_object(index: int):
    """In a stored value, the ``index``-th of the objects passed in again when it is read."""
    return _loading.shared[index]


# Types the pickler saves itself, never asking the dispatch table (Modules/_pickle.c, save()).
_PICKLED_AS_SUCH = frozenset({type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set,
                              frozenset, type, types.FunctionType})


def _reduce_shared(by_id: dict, obj):
    index = by_id.get(id(obj))
    if index is None:  # of the same type as a shared object, but not one of them: stored as ever
        return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    return _shared_object, (index,)


def _count(event: str, kind: str) -> None:
    stats[event] = stats.get(event, 0) + 1
    stats[f"{event}.{kind}"] = stats.get(f"{event}.{kind}", 0) + 1


@functools.cache
def namespace() -> str:
    """What every entry also depends on: the code, Python and the libraries that made it."""
    import sys

    from panelsite.engine.uptodate import libraries

    return digest(code_digest(), sys.version, libraries())


class BuildCache:
    """Pickled values by key, in ``folder/<kind>/``; ``None`` as folder: a cache that keeps nothing."""

    def __init__(self, folder: Path | None, space: str | None = None):
        self.folder = folder
        self.space = space

    def _path(self, kind: str, key: str) -> Path:
        if self.space is None:
            self.space = namespace()
        return self.folder / kind / f"{digest(self.space, key)}.pickle"

    def load(self, kind: str, key: str, shared: tuple = ()):
        """The value stored under ``key``, or None when there is none (or it is damaged).

        ``shared``: objects the value refers to that are not stored with it but passed in
        again (the survey an analysis belongs to), matched by position.
        """
        value = self._read(kind, key, shared)
        _count("misses" if value is None else "hits", kind)
        return value

    def _read(self, kind: str, key: str, shared: tuple = ()):
        if self.folder is None:
            return None
        data = read_entry(self._path(kind, key))
        if data is None:
            return None
        outer = getattr(_loading, "shared", None)
        _loading.shared = shared
        try:
            return pickle.loads(_decompress(data))
        except Exception:  # noqa: BLE001 - whatever a damaged entry raises: made again
            return None
        finally:
            _loading.shared = outer

    def store(self, kind: str, key: str, value, shared: tuple = ()) -> None:
        if self.folder is None:
            return
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        if shared:
            if any(type(obj) in _PICKLED_AS_SUCH for obj in shared):
                raise TypeError("a shared object must be an instance of a class of its own: the pickler saves "
                                "None, numbers, strings, bytes, containers and classes without asking")
            # The shared objects are found by their type's entry in the pickler's dispatch table,
            # which only objects of those types reach: a persistent_id would be a Python call for
            # every object of the value (an analysis has some ten thousand; a fifth of its time).
            by_id = {id(obj): i for i, obj in enumerate(shared)}
            pickler.dispatch_table = copyreg.dispatch_table.copy()
            for kind_of_shared in {type(obj) for obj in shared}:
                pickler.dispatch_table[kind_of_shared] = functools.partial(_reduce_shared, by_id)
        pickler.dump(value)
        write_entry(self._path(kind, key), _compress(out.getvalue()))
        _count("stored", kind)

    def made(self, kind: str, key: str, make, shared: tuple = ()):
        """The value stored under ``key``, else ``make()``, stored for the next build."""
        value = self.load(kind, key, shared)
        if value is None:
            value = make()
            self.store(kind, key, value, shared)
        return value

    def load_slot(self, kind: str, slot: str, key: str):
        """The value last stored in ``slot`` when it was stored under ``key``; else None.

        For what is large and changes with every edit (a whole site, its search index): one
        entry per slot (a municipality and the kind of build) instead of one per key, so the
        cache does not grow with every edit. The key is also kept in a small entry beside it,
        read first, so a slot holding another key is not read at all.
        """
        value = None
        if self._read(kind, slot + "\0key") == key:
            found = self._read(kind, slot)  # holds its key too: the two are not written at once
            value = found[1] if isinstance(found, tuple) and len(found) == 2 and found[0] == key else None
        _count("misses" if value is None else "hits", kind)
        return value

    def load_slot_any(self, kind: str, slot: str):
        """``(key, value)`` last stored in ``slot``, whatever its key; else None. For a value whose
        parts have keys of their own (a whole site's files), so the parts that did not change can
        be taken from it after an edit."""
        found = self._read(kind, slot)
        found = found if isinstance(found, tuple) and len(found) == 2 else None
        _count("misses" if found is None else "hits", kind)
        return found

    def store_slot(self, kind: str, slot: str, key: str, value) -> None:
        self.store(kind, slot, (key, value))
        self.store(kind, slot + "\0key", key)


def read_entry(path: Path) -> bytes | None:
    """The payload of an entry written by :func:`write_entry`; None when missing or damaged."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    check, data = raw[:32], raw[32:]
    if len(raw) < 32 or hashlib.sha256(data).digest() != check:
        return None
    touch(path)
    return data


def write_entry(path: Path, data: bytes) -> None:
    """``data`` behind its checksum, written whole or not at all."""
    write_atomic(path, hashlib.sha256(data).digest() + data)


def touch(path: Path) -> None:
    """Mark an entry as used now (what :func:`prune` goes by); a read-only cache is no error."""
    try:
        os.utime(path)
    except OSError:
        pass


def write_atomic(path: Path, data: bytes) -> None:
    """Several build processes may share the cache: write beside the entry, then rename.

    A cache that cannot be written (a full disk, a read-only folder) costs speed, not the build.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise


def prune(folder: Path, keep: set[str] = frozenset(), days: float = KEEP_DAYS) -> int:
    """Remove the entries below ``folder`` no build used for ``days`` days; returns how many.

    ``keep``: file names (without suffix) kept whatever their age (the PDFs this output
    folder's manifests name). Abandoned temporary files go too.
    """
    now = time.time()
    removed = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                age = now - os.stat(path).st_mtime
                if name.startswith(_TEMP_PREFIX):
                    unused = age > STALE_TEMP_SECONDS
                else:
                    unused = age > days * 86400 and name.rpartition(".")[0] not in keep
                if unused:
                    os.unlink(path)
                    removed += 1
            except FileNotFoundError:  # removed meanwhile
                continue
    return removed
