"""SQLite (the default, one host): WAL, ``synchronous=FULL``, ``busy_timeout``, ``BEGIN IMMEDIATE``
and a group commit.

``BEGIN IMMEDIATE``: a deferred transaction that later upgrades to a write can fail with
SQLITE_BUSY at once, and busy_timeout does not help then. WAL only on a local disk.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from panelsite.collector.storage.base import Storage, StorageError, Tx
from panelsite.collector.storage.schema import SCHEMA

MAX_BATCH = 256  # writes per group commit


class _Pending:
    """One write waiting for the group commit."""

    __slots__ = ("fn", "done", "result", "error")

    def __init__(self, fn):
        self.fn = fn
        self.done = threading.Event()
        self.result = None
        self.error: BaseException | None = None


class SQLiteStorage(Storage):
    def __init__(self, path: Path | str, busy_timeout_ms: int = 10000):
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
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
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

    def _write(self, fn: Callable[[Tx], object]) -> object:
        """Group commit: one writer thread commits every waiting write in one transaction.

        A commit costs a disk flush (synchronous=FULL); under load the writes that
        queued while the previous flush ran share the next one. Each write runs in
        its own savepoint, so one failing write is rolled back alone, and every
        caller is answered only after the COMMIT that holds its write returned.
        """
        item = _Pending(fn)
        self._queue.put(item)
        self._ensure_writer()
        item.done.wait()
        if isinstance(item.error, (sqlite3.Error, OSError)):
            raise StorageError(item.error) from item.error
        if item.error is not None:
            raise item.error
        return item.result

    def _ensure_writer(self) -> None:
        if self._writer is None or not self._writer.is_alive():
            with self._lock:
                if self._writer is None or not self._writer.is_alive():
                    self._writer = threading.Thread(target=self._write_loop, name="sqlite-writer", daemon=True)
                    self._writer.start()

    def _write_loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            if batch[0] is None:
                return
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            try:
                with self.transaction() as tx:
                    for item in batch:
                        tx.execute("SAVEPOINT one_write")
                        try:
                            item.result = item.fn(tx)
                        except Exception as exc:  # this write only
                            tx.execute("ROLLBACK TO one_write")
                            item.error = exc
                        tx.execute("RELEASE one_write")
            except Exception as exc:  # the commit failed: nothing in the batch is stored
                for item in batch:
                    item.error, item.result = item.error or exc, None
            for item in batch:
                item.done.set()

    def close(self) -> None:
        if self._writer is not None and self._writer.is_alive():
            self._queue.put(None)
            self._writer.join(timeout=10)
        self._writer = None
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

