"""One interface, two backends: what the collector stores and reads, in transactions.

Every change happens in a write transaction that is committed before the resident gets an
answer, so an acknowledged submission survives a crash. The writes of the collector's requests
go through a group commit (:meth:`Storage._write`): one writer thread commits every write that
is waiting in one transaction, one disk flush, and answers each only after that commit.
Backends provide ``transaction``; the SQL of what a submission changes lives in
:mod:`.membership`, the deletions of ``retention`` in :mod:`.retention`.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from panelsite.collector.storage import membership, outbox, retention
from panelsite.collector.storage.schema import SCHEMA

DRAFT_MAX_AGE = retention.DRAFT_MAX_AGE
MAX_BATCH = 256  # writes per group commit
# Under load, how long the writer waits for more writes to share its flush (cf. PostgreSQL's
# commit_delay): at 16 clients it halves the number of commits (SQLite: 4.5 → 8–9 writes each).
GATHER_SECONDS = 0.001


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


class _Pending:
    """One write waiting for the group commit: a thread waits on ``done``, a coroutine on ``future``."""

    __slots__ = ("fn", "done", "future", "loop", "result", "error")

    def __init__(self, fn, loop: asyncio.AbstractEventLoop | None = None):
        self.fn = fn
        self.loop = loop
        self.future = loop.create_future() if loop is not None else None
        self.done = threading.Event() if loop is None else None
        self.result = None
        self.error: BaseException | None = None


class _Retry(Exception):
    """A write of a batch without savepoints failed: the batch goes again, with them."""


def _settle(items: list[_Pending]) -> None:
    """On the event loop: hand each waiting coroutine its write's outcome."""
    for item in items:
        if not item.future.done():  # a request whose client went away was cancelled: its write stands
            item.future.set_result(None)


class Change(Protocol):
    """What one submission writes (:mod:`.membership`): applied in the submission's transaction."""

    def apply(self, tx: Tx) -> object: ...


class Storage(ABC):
    """The operations the collector needs; backends only provide ``transaction``."""

    skip_locked = ""  # PostgreSQL: " FOR UPDATE SKIP LOCKED"; SQLite serialises writers (BEGIN IMMEDIATE)
    driver_errors: tuple[type[BaseException], ...] = ()  # the driver's exceptions, raised as StorageError
    savepoint_each_write = True  # False: the group commit uses savepoints only once a write failed

    def __init__(self):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._writer_lock = threading.Lock()

    @abstractmethod
    def transaction(self) -> Iterator[Tx]:
        """A write transaction (a context manager yielding a :class:`Tx`), committed on exit."""

    def close(self) -> None:
        """Stop the group commit's writer (what is queued is committed first)."""
        if self._writer is not None and self._writer.is_alive():
            self._queue.put(None)
            self._writer.join(timeout=10)
        self._writer = None

    def reading(self):
        """A read-only transaction (the write transaction unless a backend has a cheaper one)."""
        return self.transaction()

    def quick_transaction(self):
        """A write transaction whose commit survives this process dying, though perhaps not a power
        failure, and returns without waiting for the disk (the write transaction unless a backend
        has a quicker one)."""
        return self.transaction()

    # --- the group commit -----------------------------------------------------------------

    def _write(self, fn: Callable[[Tx], object]) -> object:
        """Run ``fn`` in a write transaction and return its result once committed (for threads)."""
        item = _Pending(fn)
        self._enqueue(item)
        item.done.wait()
        return self._outcome(item)

    async def _write_async(self, fn: Callable[[Tx], object]) -> object:
        """The same for a coroutine: the event loop goes on serving while the commit runs."""
        item = _Pending(fn, asyncio.get_running_loop())
        self._enqueue(item)
        await item.future
        return self._outcome(item)

    def _enqueue(self, item: _Pending) -> None:
        self._queue.put(item)
        if self._writer is None or not self._writer.is_alive():
            with self._writer_lock:
                if self._writer is None or not self._writer.is_alive():
                    self._writer = threading.Thread(target=self._write_loop, name="storage-writer", daemon=True)
                    self._writer.start()

    def _outcome(self, item: _Pending) -> object:
        if isinstance(item.error, self.driver_errors):
            raise StorageError(item.error) from item.error
        if item.error is not None:
            raise item.error
        return item.result

    def _commit(self, batch: list[_Pending], savepoints: bool) -> None:
        """One transaction for the batch. With ``savepoints`` a failing write is rolled back alone;
        without, it raises _Retry (a round trip less per write, where one costs a network hop)."""
        with self.transaction() as tx:
            for item in batch:
                item.result = item.error = None
                if savepoints:
                    tx.execute("SAVEPOINT one_write")
                try:
                    item.result = item.fn(tx)
                except Exception as exc:  # this write only
                    if not savepoints:
                        raise _Retry from exc
                    tx.execute("ROLLBACK TO one_write")
                    item.error = exc
                if savepoints:
                    tx.execute("RELEASE one_write")

    def _write_loop(self) -> None:
        """Group commit: commit every waiting write in one transaction.

        A commit costs a disk flush; under load the writes that queued while the previous flush
        ran share the next one. One failing write is rolled back alone (a savepoint each, or the
        batch again with savepoints after a failure), and every caller is answered only after
        the COMMIT that holds its write returned.
        """
        previous = 1
        while True:
            batch = [self._queue.get()]
            if batch[0] is None:
                return
            # Under load (the last batch was shared) wait a moment for the writes on their way, so
            # they share this flush too; an idle collector commits at once. The wait ends as soon as
            # as many writes are in as last time: those clients are back, and waiting longer would
            # only hold them (and leave the event loop idle) for writes that may not come.
            deadline = time.monotonic() + GATHER_SECONDS if previous > 1 else 0.0
            while len(batch) < MAX_BATCH:
                try:
                    wait = deadline - time.monotonic() if len(batch) < previous else 0.0
                    nxt = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            previous = len(batch)
            try:
                try:
                    self._commit(batch, self.savepoint_each_write)
                except _Retry:  # a write failed, and without savepoints it took the batch with it
                    self._commit(batch, True)
            except Exception as exc:  # the commit failed: nothing in the batch is stored
                for item in batch:
                    item.error, item.result = item.error or exc, None
            waiting: dict[asyncio.AbstractEventLoop, list[_Pending]] = {}
            for item in batch:
                if item.loop is None:
                    item.done.set()
                else:
                    waiting.setdefault(item.loop, []).append(item)
            for loop, items in waiting.items():
                try:
                    loop.call_soon_threadsafe(_settle, items)
                except RuntimeError:  # that event loop is closed: nobody waits any more
                    pass

    def setup(self) -> None:
        with self.transaction() as tx:
            for statement in SCHEMA:
                tx.execute(statement)

    # --- submissions --------------------------------------------------------------------

    def submit(self, slug: str, form: str, key: str, now: float, rate: Rate | None,
               change: Change) -> tuple[str, str | None]:
        """Store one submission (see :meth:`submit_async`)."""
        return self._write(self._submission(slug, form, key, now, rate, change))

    async def submit_async(self, slug: str, form: str, key: str, now: float, rate: Rate | None,
                           change: Change) -> tuple[str, str | None]:
        """Store one submission: ("stored", the id of the mail it queued or None), ("duplicate",
        None), ("limited", None), or ("answered", None) for a member's second answers to a
        questionnaire (nothing of them is stored).

        The rate counter, the idempotency key, the change and the mail it calls for (a row in
        the outbox) are written in one transaction: a retried request with the same key stores
        nothing new, and an acknowledged submission has its mail even if the process dies
        before sending it.
        """
        return await self._write_async(self._submission(slug, form, key, now, rate, change))

    def _submission(self, slug: str, form: str, key: str, now: float, rate: Rate | None,
                    change: Change) -> Callable[[Tx], tuple[str, str | None]]:
        def store(tx: Tx) -> tuple[str, str | None]:
            if rate is not None and not self._count(tx, rate):
                return "limited", None
            tx.execute("INSERT INTO submissions (slug, form, skey, created) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                       (slug, form, key, now))
            if tx.rowcount == 0:
                return "duplicate", None
            result = change.apply(tx)
            if result == membership.ANSWERED_BEFORE:
                return "answered", None
            if isinstance(result, membership.Mail):
                return "stored", self._queue_mail(tx, result, now)
            return "stored", None

        return store

    @staticmethod
    def _queue_mail(tx: Tx, mail: "membership.Mail", now: float) -> str | None:
        """The outbox row of a submission's mail; None when the address had its ``per_day`` already."""
        if mail.per_day is not None and mail.member_id is not None:
            if outbox.sent_today(tx, mail.slug, mail.kind, mail.member_id, now - retention.DAY) >= mail.per_day:
                return None
        return outbox.queue(tx, mail.slug, mail.kind, now, member_id=mail.member_id, ref=mail.ref)

    def hit(self, rate: Rate) -> bool:
        """Count one request that stores nothing (an invalid form); False when over the limit."""
        return self._write(lambda tx: self._count(tx, rate))

    async def hit_async(self, rate: Rate) -> bool:
        return await self._write_async(lambda tx: self._count(tx, rate))

    def hits(self, rate: Rate) -> int:
        """How many requests this bucket counted in its window so far (counting none)."""
        with self.reading() as tx:
            row = tx.one("SELECT hits FROM rate_limits WHERE bucket = ? AND win = ?", (rate.bucket, rate.window))
        return row[0] if row else 0

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

    # --- error-page drafts --------------------------------------------------------------

    def save_draft(self, draft_id: str, slug: str, form: str, data: dict, now: float,
                   max_age: float = DRAFT_MAX_AGE) -> None:
        """What a resident typed into a form with mistakes, for the error page (an hour)."""
        def save(tx: Tx) -> None:
            tx.execute("DELETE FROM drafts WHERE created < ?", (now - max_age,))
            tx.execute("INSERT INTO drafts (id, slug, form, data, created) VALUES (?, ?, ?, ?, ?)",
                       (draft_id, slug, form, json.dumps(data), now))

        self._write(save)

    def draft(self, draft_id: str, slug: str, form: str, now: float, max_age: float = DRAFT_MAX_AGE) -> dict | None:
        with self.reading() as tx:
            row = tx.one("SELECT data FROM drafts WHERE id = ? AND slug = ? AND form = ? AND created >= ?",
                         (draft_id, slug, form, now - max_age))
        return json.loads(row[0]) if row else None

    # --- membership ---------------------------------------------------------------------

    def confirm(self, slug: str, member_id: str, now: float) -> bool:
        """Mark a sign-up confirmed; False when the member does not exist (any more)."""
        return self._write(lambda tx: membership.confirm(tx, slug, member_id, now))

    def leave(self, slug: str, member_id: str, request_id: str | None, now: float, left_days: int,
              reason_day: float) -> str:
        """Confirmed leaving: "deleted", "kept" or "already" (see :func:`.membership.leave`)."""
        return self._write(lambda tx: membership.leave(tx, slug, member_id, request_id, now, left_days, reason_day))

    def member(self, slug: str, member_id: str) -> dict | None:
        """A confirmed, current member's profile, or None."""
        with self.reading() as tx:
            return membership.member_profile(tx, slug, member_id)

    def in_panel(self, slug: str, member_id: str) -> bool:
        """The member exists and has not left (confirmed or not yet)."""
        with self.reading() as tx:
            return membership.in_panel(tx, slug, member_id)

    # --- the outbox (storage/outbox.py) -------------------------------------------------

    def queue_mailing(self, slug: str, kind: str, mailing: str, member_ids: list[str], now: float,
                      text: tuple[str, str, str | None] | None = None) -> int:
        """A panel mailing's rows (and its text, when it is the same for all); how many were new."""
        def write(tx: Tx) -> int:
            if text is not None:
                outbox.put_text(tx, slug, kind, mailing, *text, now)
            return outbox.queue_many(tx, slug, kind, mailing, member_ids, now)

        with self.transaction() as tx:  # one transaction: 10,000 rows are one commit
            return write(tx)

    def mailing_recipients(self, slug: str, kind: str, survey_id: str) -> tuple[list[str], int]:
        with self.reading() as tx:
            return outbox.recipients(tx, slug, kind, survey_id)

    def mailing_text(self, slug: str, kind: str, mailing: str) -> tuple[str, str, str | None] | None:
        with self.reading() as tx:
            return outbox.text(tx, slug, kind, mailing)

    def contact_fields(self, message_id: str) -> dict | None:
        with self.reading() as tx:
            return outbox.contact_fields(tx, message_id)

    def claim_mail(self, claimant: str, now: float, lease: float, limit: int, scope: tuple | None = None,
                   ids: list[str] | None = None) -> list[outbox.Item]:
        return self._write(lambda tx: outbox.claim(tx, claimant, now, lease, limit, scope, ids, self.skip_locked))

    def hand_over(self, row_id: str, claimant: str, message_id: str, now: float) -> bool:
        with self.quick_transaction() as tx:
            return outbox.hand_over(tx, row_id, claimant, message_id, now)

    def finish_mail(self, row_id: str, claimant: str, status: str, now: float, error: str | None = None,
                    due: float | None = None, lease: float | None = None) -> None:
        # As quick as the hand-over it follows: lost only with the machine's power, and then the row
        # is "unconfirmed" (handed over), never sent again.
        with self.quick_transaction() as tx:
            outbox.finish(tx, row_id, claimant, status, now, error, due, lease)

    def release_mail(self, claimant: str) -> None:
        self._write(lambda tx: outbox.release(tx, claimant))

    def mail_status(self, slug: str) -> tuple[list, list]:
        """(kind, mailing, status, count) rows and (kind, mailing, error, count) rows."""
        with self.reading() as tx:
            return outbox.status(tx, slug), outbox.errors(tx, slug)

    def mailing_counts(self, slug: str, kind: str, mailing: str) -> dict[str, int]:
        with self.reading() as tx:
            return outbox.mailing_counts(tx, slug, kind, mailing)

    def next_due(self, scope: tuple) -> float | None:
        with self.reading() as tx:
            return outbox.next_due(tx, scope)

    # --- exports and retention ----------------------------------------------------------

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

    def retention(self, periods: dict[str, retention.Periods], now: float,
                  dry_run: bool = False) -> dict[str, dict[str, int]]:
        """Delete (or count) what is past its retention period, in one transaction."""
        with self.transaction() as tx:
            return retention.apply(tx, periods, now, dry_run)

    def count(self, table: str, slug: str | None = None) -> int:
        assert table in ("submissions", "members", "contacts", "responses", "messages", "leave_reasons", "leave_requests",
                         "drafts", "outbox", "responded")
        with self.reading() as tx:
            if slug is None:
                return tx.one(f"SELECT COUNT(*) FROM {table}")[0]
            return tx.one(f"SELECT COUNT(*) FROM {table} WHERE slug = ?", (slug,))[0]

    def submission_keys(self, slug: str, form: str) -> list[str]:
        with self.reading() as tx:
            return [r[0] for r in tx.all("SELECT skey FROM submissions WHERE slug = ? AND form = ?", (slug, form))]
