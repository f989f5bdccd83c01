"""What the loaders keep between builds: values computed from the house style, and tables
read back from the build cache only when used (:class:`Pickled`).

The chart colours (config.datapalette) and the colours a logo paints (config.logo) are pure
functions of a few colours and a file's bytes, and the slowest part of loading: ColorAide
searches colour spaces, and takes a tenth of a second to import. A build passes its build cache
as ``cache`` (engine/cache.py, anything with ``made(kind, key, make)``: config/ imports nothing
of the engine), so a build whose house style did not change neither computes them nor imports
ColorAide. Without a cache (the collector, the commands that load one municipality) they are made.

Within a process each value is made or read once per cache folder: a build loads every
municipality twice (to plan, and again in the process that builds its site).
"""

from __future__ import annotations

import pickle
from typing import Callable

_KNOWN: dict[tuple, object] = {}  # (cache folder, kind, key) → value


def kept(cache, kind: str, key: str, make: Callable[[], object]):
    """``make()``, or what it gave before for ``key``; the value must not be changed by its users."""
    known = (getattr(cache, "folder", None), kind, key)
    if known not in _KNOWN:
        _KNOWN[known] = make() if cache is None else cache.made(kind, key, make)
    return _KNOWN[known]


def forget() -> None:
    """Forget what this process made or read, so the next load reads the build cache as a new
    process does (tests of the cache)."""
    _KNOWN.clear()


class Pickled:
    """A value that goes into a pickle as pickled bytes of its own, and comes out of one as
    those bytes, unpickled only when first used (:attr:`value`).

    A response table or a member register read back from the build cache is a pandas
    DataFrame, and unpickling one imports pandas (a quarter of a second): a build after a page
    edit renders no results page and has no need of it.
    """

    __slots__ = ("_value", "_data")

    def __init__(self, value):
        self._value, self._data = value, None

    @property
    def value(self):
        if self._data is not None:
            self._value, self._data = pickle.loads(self._data), None
        return self._value

    def __getstate__(self) -> bytes:
        return self._data if self._data is not None else pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)

    def __setstate__(self, data: bytes) -> None:
        self._value, self._data = None, data
