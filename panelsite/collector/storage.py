"""Storage for the collector: one interface, two backends (SQLite, PostgreSQL).

Every change happens in one write transaction that is committed before the
resident gets an answer, so an acknowledged submission survives a crash.

* SQLite (default, one host): WAL, ``synchronous=FULL``, ``busy_timeout`` and
  ``BEGIN IMMEDIATE`` (a deferred transaction that later upgrades to a write can
  fail with SQLITE_BUSY at once, and busy_timeout does not help then).
* PostgreSQL (several instances behind a load balancer): the same SQL; rate-limit
  counters live in the database, so a limit holds across instances.

Tables keep contact data (``contacts``) apart from answers (``responses``); the
link is a pseudonymous member id, and responses carry their own copy of the
background variables so they stay usable when a member leaves. No IP addresses
are stored: rate-limit buckets are keyed hashes of the client address.
"""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# A member's response for which the same member has a later one for the same survey.
_SUPERSEDED = """member_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM responses later WHERE later.slug = responses.slug AND later.survey_id = responses.survey_id
        AND later.member_id = responses.member_id AND (later.created > responses.created
        OR (later.created = responses.created AND later.respondent_id > responses.respondent_id)))"""

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS submissions (
        slug TEXT NOT NULL, form TEXT NOT NULL, skey TEXT NOT NULL, created DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (slug, form, skey))""",
    """CREATE TABLE IF NOT EXISTS members (
        member_id TEXT PRIMARY KEY, slug TEXT NOT NULL, profile TEXT NOT NULL, consent_version TEXT,
        created DOUBLE PRECISION NOT NULL, confirmed DOUBLE PRECISION, left_at DOUBLE PRECISION)""",
    "CREATE INDEX IF NOT EXISTS members_slug ON members (slug)",
    """CREATE TABLE IF NOT EXISTS contacts (
        member_id TEXT PRIMARY KEY, slug TEXT NOT NULL, email TEXT NOT NULL, name TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS contacts_email ON contacts (slug, email)",
    """CREATE TABLE IF NOT EXISTS responses (
        respondent_id TEXT PRIMARY KEY, slug TEXT NOT NULL, survey_id TEXT NOT NULL, member_id TEXT,
        background TEXT NOT NULL, answers TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS responses_survey ON responses (slug, survey_id)",
    """CREATE TABLE IF NOT EXISTS messages (
        id TEXT PRIMARY KEY, slug TEXT NOT NULL, fields TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS leave_reasons (
        id TEXT PRIMARY KEY, slug TEXT NOT NULL, reason TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)""",
    # A request to leave that waits for its e-mail link: only the reason for leaving, if one was
    # given, so it is stored in leave_reasons only when the leaving is confirmed. No member id:
    # the signed link names the member and this row. Gone on confirmation or after 7 days.
    """CREATE TABLE IF NOT EXISTS leave_requests (
        id TEXT PRIMARY KEY, slug TEXT NOT NULL, reason TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS rate_limits (
        bucket TEXT NOT NULL, win BIGINT NOT NULL, hits INTEGER NOT NULL, PRIMARY KEY (bucket, win))""",
    """CREATE TABLE IF NOT EXISTS drafts (
        id TEXT PRIMARY KEY, slug TEXT NOT NULL, form TEXT NOT NULL, data TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL)""",
    # /healthz commits to this row, so a database that reads but cannot write is reported.
    "CREATE TABLE IF NOT EXISTS heartbeat (id INTEGER PRIMARY KEY, at DOUBLE PRECISION NOT NULL)",
    # One response per member per survey: a later submission replaces the earlier one. Databases
    # from before this index may hold several: the latest stays, the earlier ones move to
    # superseded_responses (an acknowledged answer is never thrown away; export ignores them).
    """CREATE TABLE IF NOT EXISTS superseded_responses (
        respondent_id TEXT PRIMARY KEY, slug TEXT NOT NULL, survey_id TEXT NOT NULL, member_id TEXT,
        background TEXT NOT NULL, answers TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)""",
    f"""INSERT INTO superseded_responses (respondent_id, slug, survey_id, member_id, background, answers, created)
        SELECT respondent_id, slug, survey_id, member_id, background, answers, created FROM responses
        WHERE {_SUPERSEDED} ON CONFLICT (respondent_id) DO NOTHING""",
    f"DELETE FROM responses WHERE {_SUPERSEDED}",
    "CREATE UNIQUE INDEX IF NOT EXISTS responses_member ON responses (slug, survey_id, member_id) WHERE member_id IS NOT NULL",
]


class StorageError(Exception):
    """The database could not read or write (locked, disk full, read-only, connection lost).

    Raised instead of the driver's own exception, whose message may quote the values of
    the statement (PostgreSQL's "Key (email)=(…) already exists"): ``kind`` names the
    driver's exception class, the only detail that may be logged.
    """

    def __init__(self, cause: BaseException):
        super().__init__(type(cause).__name__)
        self.kind = type(cause).__name__


@dataclass(frozen=True)
class Rate:
    """A rate-limit check made in the same transaction as the write it guards."""

    bucket: str  # keyed hash of the client address and municipality
    window: int  # start of the time window in epoch seconds
    limit: int


class Tx:
    """A transaction: ``execute(sql, params)`` with ``?`` placeholders on both backends."""

    def __init__(self, cursor, placeholder: str):
        self.cursor = cursor
        self.placeholder = placeholder

    def execute(self, sql: str, params: tuple = ()) -> "Tx":
        if self.placeholder != "?":
            sql = sql.replace("?", self.placeholder)
        self.cursor.execute(sql, params)
        return self

    @property
    def rowcount(self) -> int:
        return self.cursor.rowcount

    def one(self, sql: str, params: tuple = ()):
        return self.execute(sql, params).cursor.fetchone()

    def all(self, sql: str, params: tuple = ()) -> list:
        return self.execute(sql, params).cursor.fetchall()


class Storage(ABC):
    """The operations the collector needs; backends only provide ``transaction``."""

    @abstractmethod
    def transaction(self) -> Iterator[Tx]:
        """A write transaction (a context manager yielding a :class:`Tx`), committed on exit."""

    def close(self) -> None:
        pass

    def reading(self):
        """A read-only transaction (the write transaction unless a backend has a cheaper one)."""
        return self.transaction()

    def _write(self, fn: Callable[[Tx], object]) -> object:
        """Run ``fn`` in a write transaction and return its result once committed."""
        with self.transaction() as tx:
            return fn(tx)

    def setup(self) -> None:
        with self.transaction() as tx:
            for statement in SCHEMA:
                tx.execute(statement)

    # --- writes -------------------------------------------------------------------------

    def submit(self, slug: str, form: str, key: str, now: float, rate: Rate | None,
               write: Callable[[Tx], object]) -> tuple[str, object]:
        """Store one submission: ("stored", result), ("duplicate", None) or ("limited", None).

        The rate counter, the idempotency key and the data are written in one
        transaction; a retried request with the same key stores nothing new.
        """
        def store(tx: Tx) -> tuple[str, object]:
            if rate is not None and not self._count(tx, rate):
                return "limited", None
            tx.execute("INSERT INTO submissions (slug, form, skey, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       (slug, form, key, now))
            if tx.rowcount == 0:
                return "duplicate", None
            return "stored", write(tx)

        return self._write(store)

    def hit(self, rate: Rate) -> bool:
        """Count one request that stores nothing (an invalid form); False when over the limit."""
        return self._write(lambda tx: self._count(tx, rate))

    def heartbeat(self, now: float) -> None:
        """Commit one tiny write: raises StorageError when the database takes reads but no writes."""
        self._write(lambda tx: tx.execute(
            "INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at", (now,)))

    def _count(self, tx: Tx, rate: Rate) -> bool:
        row = tx.one(
            "INSERT INTO rate_limits (bucket, win, hits) VALUES (?, ?, 1) "
            "ON CONFLICT (bucket, win) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits",
            (rate.bucket, rate.window),
        )
        return row[0] <= rate.limit

    def save_draft(self, draft_id: str, slug: str, form: str, data: dict, now: float, max_age: float) -> None:
        def save(tx: Tx) -> None:
            tx.execute("DELETE FROM drafts WHERE created < ?", (now - max_age,))
            tx.execute("INSERT INTO drafts (id, slug, form, data, created) VALUES (?, ?, ?, ?, ?)",
                       (draft_id, slug, form, json.dumps(data), now))

        self._write(save)

    def confirm(self, slug: str, member_id: str, now: float) -> bool:
        """Mark a sign-up confirmed; False when the member does not exist (any more)."""
        with self.transaction() as tx:
            row = tx.one("SELECT confirmed FROM members WHERE member_id = ? AND slug = ? AND left_at IS NULL", (member_id, slug))
            if row is None:
                return False
            if row[0] is None:
                tx.execute("UPDATE members SET confirmed = ? WHERE member_id = ?", (now, member_id))
            return True

    def leave(self, slug: str, member_id: str, request_id: str | None, now: float, left_days: int,
              reason_day: float) -> str:
        """Confirmed leaving: "deleted" (contact data gone now), "kept" (they go after
        ``left_days``) or "already" (the member left before or does not exist any more).

        Earlier answers are unlinked and kept. A sign-up that was never confirmed leaves
        nothing behind: left_members_days is for members, and retention finds contact data
        through the member row. The reason for leaving, kept with the pending request, moves to
        ``leave_reasons`` (with the day only) now, and only now.
        """
        def write(tx: Tx) -> str:
            row = tx.one("SELECT confirmed, left_at FROM members WHERE member_id = ? AND slug = ?", (member_id, slug))
            reason = None
            if request_id:
                found = tx.one("SELECT reason FROM leave_requests WHERE id = ? AND slug = ?", (request_id, slug))
                reason = found[0] if found else None
                tx.execute("DELETE FROM leave_requests WHERE id = ?", (request_id,))
            if row is None or row[1] is not None:
                return "already"
            confirmed = row[0]
            tx.execute("UPDATE members SET left_at = ? WHERE member_id = ? AND left_at IS NULL", (now, member_id))
            tx.execute("UPDATE responses SET member_id = NULL WHERE member_id = ?", (member_id,))
            deleted = left_days == 0 or confirmed is None
            if deleted:
                tx.execute("DELETE FROM contacts WHERE member_id = ?", (member_id,))
            tx.execute("DELETE FROM members WHERE member_id = ? AND confirmed IS NULL", (member_id,))
            if reason:
                tx.execute("INSERT INTO leave_reasons (id, slug, reason, created) VALUES (?, ?, ?, ?)",
                           (uuid.uuid4().hex, slug, reason, reason_day))
            return "deleted" if deleted else "kept"

        return self._write(write)

    # --- reads --------------------------------------------------------------------------

    def draft(self, draft_id: str, slug: str, form: str, now: float, max_age: float) -> dict | None:
        with self.reading() as tx:
            row = tx.one("SELECT data FROM drafts WHERE id = ? AND slug = ? AND form = ? AND created >= ?",
                         (draft_id, slug, form, now - max_age))
        return json.loads(row[0]) if row else None

    def member(self, slug: str, member_id: str) -> dict | None:
        """A confirmed, current member's profile, or None."""
        with self.reading() as tx:
            row = tx.one("SELECT profile FROM members WHERE member_id = ? AND slug = ? AND confirmed IS NOT NULL "
                         "AND left_at IS NULL", (member_id, slug))
        return json.loads(row[0]) if row else None

    def in_panel(self, slug: str, member_id: str) -> bool:
        """The member exists and has not left (confirmed or not yet)."""
        with self.reading() as tx:
            return tx.one("SELECT 1 FROM members WHERE member_id = ? AND slug = ? AND left_at IS NULL",
                          (member_id, slug)) is not None

    def responses(self, slug: str, survey_id: str) -> list[tuple[str, dict, dict, float]]:
        with self.reading() as tx:
            rows = tx.all("SELECT respondent_id, background, answers, created FROM responses "
                          "WHERE slug = ? AND survey_id = ? ORDER BY created, respondent_id", (slug, survey_id))
        return [(r[0], json.loads(r[1]), json.loads(r[2]), r[3]) for r in rows]

    def members(self, slug: str) -> list[tuple[str, dict, float, float | None]]:
        """Confirmed members (also those who left): id, profile, confirmed, left."""
        with self.reading() as tx:
            rows = tx.all("SELECT member_id, profile, confirmed, left_at FROM members "
                          "WHERE slug = ? AND confirmed IS NOT NULL ORDER BY confirmed, member_id", (slug,))
        return [(r[0], json.loads(r[1]), r[2], r[3]) for r in rows]

    def count(self, table: str, slug: str | None = None) -> int:
        assert table in ("submissions", "members", "contacts", "responses", "messages", "leave_reasons", "leave_requests",
                         "drafts")
        with self.reading() as tx:
            if slug is None:
                return tx.one(f"SELECT COUNT(*) FROM {table}")[0]
            return tx.one(f"SELECT COUNT(*) FROM {table} WHERE slug = ?", (slug,))[0]

    def submission_keys(self, slug: str, form: str) -> list[str]:
        with self.reading() as tx:
            return [r[0] for r in tx.all("SELECT skey FROM submissions WHERE slug = ? AND form = ?", (slug, form))]


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
        self._write_lock = threading.Lock()
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

    def setup(self) -> None:
        # Several instances may start at once: serialise the CREATE statements.
        with self.transaction() as tx:
            tx.execute("SELECT pg_advisory_xact_lock(4242001)")
            for statement in SCHEMA:
                tx.execute(statement)

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                break


@contextmanager
def _sqlite_errors():
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(exc) from exc


class MissingDatabase(ValueError):
    """The SQLite file an export or retention run was pointed at does not exist."""


def open_storage(database_url: str | None, project_root: Path, create: bool = True) -> Storage:
    """``None`` → SQLite in ``var/collector.sqlite3``; ``sqlite:///path`` or ``postgresql://…``.

    ``create=False`` (export, retention) refuses a SQLite file that does not exist yet: an
    operator who forgot ``--database-url`` would otherwise get a new, empty database, and
    an empty export or a retention run that deleted nothing, without a word.
    """
    if not database_url or database_url.startswith("sqlite:///"):
        path = Path(database_url[len("sqlite:///"):]) if database_url else project_root / "var" / "collector.sqlite3"
        if not create and str(path) != ":memory:" and not path.is_file():
            where = "the default database" if not database_url else "the database of --database-url"
            raise MissingDatabase(f"{where} {path.resolve()} does not exist (expected the database the collector "
                                  "writes to: pass --database-url or set PANELSITE_DATABASE_URL)")
        return SQLiteStorage(path)
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresStorage(database_url)
    raise ValueError(f'unsupported database URL "{database_url.split(":", 1)[0]}:…" '
                     "(expected sqlite:///path/to/file.sqlite3 or postgresql://…)")
