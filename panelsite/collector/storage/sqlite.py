"""SQLite (the default, one host): WAL, ``synchronous=FULL``, ``busy_timeout``, ``BEGIN IMMEDIATE``
(writes through the group commit of :class:`.base.Storage`).

``BEGIN IMMEDIATE``: a deferred transaction that later upgrades to a write can fail with
SQLITE_BUSY at once, and busy_timeout does not help then. WAL only on a local disk.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from panelsite.collector.storage.base import Storage, StorageError, Tx
from panelsite.collector.storage.schema import SCHEMA


class SQLiteStorage(Storage):
    driver_errors = (sqlite3.Error, OSError)
    savepoint_each_write = False  # a batch is run again with savepoints only when one of its writes failed

    def __init__(self, path: Path | str, busy_timeout_ms: int = 10000):
        super().__init__()
        self.path = str(path)
        if self.path != ":memory:":
            with _sqlite_errors():
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # One writer at a time inside this process. SQLite allows one writer anyway;
        # waiting on a lock wakes the next thread at once, where SQLite's busy
        # handler sleeps in growing steps and gives seconds of tail latency under load.
        self._write_lock = threading.RLock()  # quick_transaction holds it around transaction()
        self.setup()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=self.busy_timeout_ms / 1000)
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        with _sqlite_errors():
            conn = self._connection()
            with self._write_lock:
                cursor = conn.cursor()
                try:
                    cursor.execute("BEGIN IMMEDIATE")
                    try:
                        yield Tx(cursor, "?")
                    except BaseException:
                        with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                            conn.rollback()
                        raise
                    else:
                        conn.commit()
                finally:
                    cursor.close()

    def setup(self) -> None:
        with self.transaction() as tx:
            for statement in SCHEMA:
                tx.execute(statement.replace("/*without rowid*/", " WITHOUT ROWID"))

    @contextmanager
    def quick_transaction(self) -> Iterator[Tx]:
        """A write on this thread whose commit survives the process dying, not the machine losing power:
        ``synchronous=NORMAL`` skips the disk flush (WAL), so nothing stands between the commit and
        what follows it (the outbox's hand-over right before the final dot)."""
        with _sqlite_errors():
            conn = self._connection()
            with self._write_lock:
                conn.execute("PRAGMA synchronous = NORMAL")
                try:
                    with self.transaction() as tx:
                        yield tx
                finally:
                    conn.execute("PRAGMA synchronous = FULL")

    @contextmanager
    def reading(self) -> Iterator[Tx]:
        # WAL: readers see the last commit and never wait for the writer.
        with _sqlite_errors():
            conn = self._connection()
            cursor = conn.cursor()
            try:
                cursor.execute("BEGIN")
                yield Tx(cursor, "?")
            finally:
                with contextlib.suppress(sqlite3.Error):
                    conn.rollback()
                cursor.close()

    def close(self) -> None:
        super().close()
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:
                    pass
            self._all.clear()
        self._local = threading.local()


@contextmanager
def _sqlite_errors():
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(exc) from exc

