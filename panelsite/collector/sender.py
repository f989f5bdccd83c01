"""The sender: takes due rows from the outbox, renders and sends them, records each outcome.

Per row: claim (with a lease) → render → MAIL FROM, RCPT TO, DATA and the message without its
final dot (``stage``) → record the hand-over (committed) → the final dot and the reply
(``finish``) → sent, failed (5xx) or queued again with backoff (4xx, connection problems).
Because the hand-over is committed before the dot and a row once handed over is never sent again,
no message goes twice: not after a crash, not with two senders at once. What stays open is the
moment between that commit and the dot: a sender killed right there leaves one message
"unconfirmed" (docs/round.md, "Exactly once").

The collector runs one in a thread (woken when it queues a mail); ``mail invitations`` and the
other mailing commands run one for their own mailing, with a progress bar. Both use the same
database and the same SMTP settings; a rate limit spaces the messages of each sender.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

from panelsite.collector.letters import Letters, Unsendable
from panelsite.collector.mail import NoReply, PermanentFailure, SetupFailure, TemporaryFailure
from panelsite.collector.storage import Storage, StorageError
from panelsite.collector.storage.outbox import CANCELLED, FAILED, QUEUED, SENT, UNCONFIRMED, Item, sender_id

log = logging.getLogger("panelsite.collector")


@dataclass(frozen=True)
class Backoff:
    """Waits between attempts after a temporary failure: ``first`` seconds, doubling, at most
    ``longest``; a row still not sent ``give_up`` seconds after it was queued is failed."""

    first: float = 30.0
    longest: float = 3600.0
    give_up: float = 2 * 86400.0

    def wait(self, attempts: int) -> float:
        return min(self.longest, self.first * 2 ** max(0, attempts - 1))


class Sender:
    def __init__(self, storage: Storage, letters: Letters, transport, *, lease: float = 120.0,
                 backoff: Backoff = Backoff(), batch: int = 50, scope: tuple | None = None,
                 on_progress=None):
        self.storage = storage
        self.letters = letters
        self.transport = transport
        self.lease = lease
        self.backoff = backoff
        rate = getattr(transport, "rate", None)
        self.interval = 1.0 / rate if rate else 0.0
        # Claim what can go within a few seconds: a claimed row waits for this sender alone.
        self.batch = max(1, min(batch, int(rate * 5) if rate else batch))
        self.scope = scope  # (slug, kind, mailing): a command sends only its own mailing
        self.on_progress = on_progress
        self._base_id = sender_id()
        # Each thread its own connection and its own claims: the collector sends to a mail folder
        # from its request threads while its sender thread runs, and a command sends over several
        # connections at once (``drain(connections=…)``); the rate limit is for all of them.
        self._local = threading.local()
        self._pace_lock = threading.Lock()
        self._last = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one batch --------------------------------------------------------------------------

    def run_once(self, ids: list[str] | None = None) -> int:
        """Claim a batch (or exactly ``ids``) and send it; how many rows were taken.

        SetupFailure (login or TLS refused) is raised after the batch is released uncounted.
        """
        items = self.storage.claim_mail(self.id, time.time(), self.lease, self.batch, self.scope, ids)
        try:
            for item in items:
                if self._stop.is_set() and ids is None:
                    break
                self._send(item)
        except SetupFailure:
            self._close()
            self.storage.release_mail(self.id)
            raise
        finally:
            if items:
                self.storage.release_mail(self.id)  # whatever a stop left unsent, uncounted
        return len(items)

    def send_ids(self, ids: list[str]) -> None:
        """Send these rows now (the collector's own mails to a mail folder: there before the answer)."""
        try:
            self.run_once(ids)
        finally:
            self._close()

    def _send(self, item: Item) -> None:
        now = time.time()
        try:
            outgoing = self.letters.compose(item)
        except Unsendable as exc:
            self._finish(item, FAILED, str(exc))
            return
        if outgoing is None:
            self._finish(item, CANCELLED, "nothing to send: the member left or the data are gone")
            return
        self._pace()
        try:
            connection = self._connect()
            connection.stage(outgoing)
        except TemporaryFailure as exc:
            if getattr(self._connection, "broken", True):
                self._close()
            self._retry(item, str(exc), now)
            return
        except PermanentFailure as exc:
            self._finish(item, FAILED, str(exc))
            return
        # The commit that makes this message never go again: right before the dot.
        try:
            handed = self.storage.hand_over(item.id, self.id, outgoing.message_id, time.time())
        except StorageError:
            connection.abort()  # without the record, no dot
            self._connection = None
            raise
        if not handed:
            connection.abort()  # another sender took the row over (our lease ran out): the server discards it
            self._connection = None
            return
        try:
            connection.finish()
        except NoReply as exc:
            self._close()
            self._finish(item, UNCONFIRMED, str(exc))
            return
        except TemporaryFailure as exc:
            self._retry(item, str(exc), now)
            return
        except PermanentFailure as exc:
            self._finish(item, FAILED, str(exc))
            return
        self._finish(item, SENT, None)

    def _retry(self, item: Item, error: str, now: float) -> None:
        if now - item.created > self.backoff.give_up:
            self._finish(item, FAILED, f"gave up after {item.attempts} attempts: {error}")
        else:
            self._finish(item, QUEUED, error, due=now + self.backoff.wait(item.attempts))

    def _finish(self, item: Item, status: str, error: str | None, due: float | None = None) -> None:
        now = time.time()
        renew = now - self._renewed > self.lease / 4  # the other claimed rows' lease, now and then
        # A server's reply may quote the address: what is kept (mail status) never does.
        error = _no_address(error) if error else error
        self.storage.finish_mail(item.id, self.id, status, now, error, due, self.lease if renew else None)
        if renew:
            self._renewed = now
        if status in (FAILED, UNCONFIRMED) or (status == QUEUED and error):
            log.warning(json.dumps({"event": "mail_" + ("retry" if status == QUEUED else status), "slug": item.slug,
                                    "kind": item.kind, "error": _no_address(error or "")}))
        if self.on_progress:
            self.on_progress(item, status)

    @property
    def id(self) -> str:
        """Who claims: this sender on this thread (a release never touches another thread's rows)."""
        return f"{self._base_id}/{threading.get_ident()}"

    @property
    def _renewed(self) -> float:
        return getattr(self._local, "renewed", 0.0)

    @_renewed.setter
    def _renewed(self, value: float) -> None:
        self._local.renewed = value

    @property
    def _connection(self):
        return getattr(self._local, "connection", None)

    @_connection.setter
    def _connection(self, value) -> None:
        self._local.connection = value

    def _pace(self) -> None:
        if self.interval:
            with self._pace_lock:
                wait = self._last + self.interval - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                self._last = time.monotonic()

    def _connect(self):
        if self._connection is None or getattr(self._connection, "broken", False):
            self._close()
            self._connection = self.transport.connect()
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001 - closing a connection that broke
                pass
            self._connection = None

    # --- until done -------------------------------------------------------------------------

    def drain(self, connections: int = 1) -> None:
        """Send until nothing of this sender's scope is due now (rows waiting for a retry stay),
        over ``connections`` SMTP connections at once (each in its own thread)."""
        def one() -> None:
            self._renewed = time.time()
            try:
                while self.run_once():
                    pass
            finally:
                self._close()

        if connections <= 1:
            one()
            return
        failures: list[BaseException] = []

        def worker() -> None:
            try:
                one()
            except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
                failures.append(exc)

        threads = [threading.Thread(target=worker, name=f"outbox-sender-{n}") for n in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]

    def start(self, idle: float = 1.0) -> None:
        """A thread that sends whatever is due, woken by :meth:`wake`, else every ``idle`` seconds
        (rows queued by a command or another instance, retries that come due)."""
        def loop():
            while not self._stop.is_set():
                try:
                    busy = self.run_once()
                except SetupFailure as exc:
                    log.error(json.dumps({"event": "mail_setup_failed", "error": str(exc)}))
                    self._close()
                    self._stop.wait(60)
                    continue
                except StorageError as exc:
                    log.error(json.dumps({"event": "mail_store_failed", "error": exc.kind}))
                    busy = 0
                except Exception as exc:  # noqa: BLE001 - the thread must live on; the rows wait
                    log.error(json.dumps({"event": "mail_sender_error", "error": type(exc).__name__}))
                    busy = 0
                if not busy:
                    self._close()  # no idle connection held open to the server
                    self._wake.wait(idle)
                    self._wake.clear()
            self._close()

        self._thread = threading.Thread(target=loop, name="outbox-sender", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None


def _no_address(text: str) -> str:
    """A server's reply may quote the address: logs never carry one."""
    import re

    return re.sub(r"[^\s<>@]+@[^\s<>@]+", "<address>", text)
