"""PostgreSQL (several instances behind a load balancer): the same SQL, through psycopg 3.

Rate-limit counters live in the database, so a limit holds across instances.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from panelsite.collector.storage.base import Storage, StorageError, Tx
from panelsite.collector.storage.schema import SCHEMA


class PostgresStorage(Storage):
    """PostgreSQL through psycopg 3, with a small connection pool."""

    def __init__(self, url: str, pool_size: int = 20):
        import psycopg

        self._psycopg = psycopg
        self.url = url
        self.pool_size = pool_size
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(pool_size)
        self.setup()

    def _get(self):
        self._slots.acquire()
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            try:
                return self._psycopg.connect(self.url, autocommit=True)
            except BaseException:
                self._slots.release()
                raise

    def _put(self, conn, broken: bool) -> None:
        if broken or conn.closed:
            try:
                conn.close()
            finally:
                self._slots.release()
            return
        self._idle.put(conn)
        self._slots.release()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        try:
            conn = self._get()
        except self._psycopg.Error as exc:
            raise StorageError(exc) from exc
        broken = False
        try:
            with conn.transaction():
                with conn.cursor() as cursor:
                    yield Tx(cursor, "%s")
        except self._psycopg.Error as exc:
            broken = isinstance(exc, self._psycopg.OperationalError)
            raise StorageError(exc) from exc
        finally:
            self._put(conn, broken)

    # Two senders never take the same outbox row: the other's locked rows are passed over.
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def setup(self) -> None:
        # Several instances may start at once: serialise the CREATE statements.
        with self.transaction() as tx:
            tx.execute("SELECT pg_advisory_xact_lock(4242001)")
            for statement in SCHEMA:
                tx.execute(statement.replace("/*without rowid*/", ""))

    @contextmanager
    def quick_transaction(self) -> Iterator[Tx]:
        """A commit that does not wait for the WAL flush: it survives this process dying (the server has
        it), not the database server crashing; for the outbox's hand-over right before the final dot."""
        with self.transaction() as tx:
            tx.execute("SET LOCAL synchronous_commit TO OFF")
            yield tx

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break


