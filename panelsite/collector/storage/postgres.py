"""PostgreSQL (several instances behind a load balancer): the same SQL, through psycopg 3 and its
connection pool (psycopg_pool).

Rate-limit counters live in the database, so a limit holds across instances. The collector's
writes go through the group commit of :class:`.base.Storage`: on PostgreSQL it matters most,
because every submission of one client updates the same rate-limit row, and transactions that
each hold that row until their commit is flushed would otherwise wait for one another.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from panelsite.collector.storage.base import Storage, StorageError, Tx
from panelsite.collector.storage.schema import SCHEMA

CONNECT_SECONDS = 10.0  # how long a request waits for a connection before it is told to try again


class PostgresStorage(Storage):
    """PostgreSQL through psycopg 3, with a pool of up to ``pool_size`` connections."""

    def __init__(self, url: str, pool_size: int = 20):
        import psycopg
        from psycopg_pool import ConnectionPool

        super().__init__()
        self._psycopg = psycopg
        self.driver_errors = (psycopg.Error,)
        self.url = url
        self.pool_size = pool_size
        self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, kwargs={"autocommit": True},
                                    timeout=CONNECT_SECONDS, name="panelsite-collector", open=True)
        try:
            self.setup()
        except BaseException:
            self._pool.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        try:
            with self._pool.connection() as conn:  # a broken connection is not given out again
                with conn.transaction():
                    with conn.cursor() as cursor:
                        yield Tx(cursor, "%s")
        except self._psycopg.Error as exc:  # PoolTimeout too: no connection in time
            raise StorageError(exc) from exc

    # Each savepoint is a round trip to the server: the group commit adds them only after a failure.
    savepoint_each_write = False

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
        super().close()
        self._pool.close()
