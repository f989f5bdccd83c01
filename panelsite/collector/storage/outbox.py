"""The outbox: every mail is a row before it is sent, in the collector's database.

A row names what to send (kind, mailing, member, a reference) and never holds the text: the
sender renders it from the templates when it sends (``collector/letters.py``), so a member who
left in between gets nothing. ``dedupe`` is unique per municipality: a panel mailing has one
row per member (``invitation/<survey>/<member>``), so queueing it again adds nobody twice.

A row's life::

    queued ──claim──► sending ──hand over──► sending (handed_over set) ──reply──► sent
       ▲                 │                        │                       └─────► failed (5xx) / queued (4xx)
       └─ 4xx, no reply ─┘   lease ran out:       └─ no reply, or its sender died: unconfirmed
          (backoff)          queued again

*Claiming* marks rows ``sending`` with a lease and the sender's id, in one write transaction
(``BEGIN IMMEDIATE`` on SQLite; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two senders never
take the same row). *Handing over* is committed right before the final ``.`` of the SMTP DATA
goes out, and only while the sender still holds the row; a row once handed over is never sent
again. See docs/round.md ("Exactly once") for what that guarantees.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

from panelsite.collector.storage.membership import (
    CONFIRM_LEAVE,
    CONFIRM_SIGNUP,
    CONTACT_MESSAGE,
    FACTSHEET,
    INVITATION,
    REMINDER,
)

QUEUED, SENDING, SENT, UNCONFIRMED, FAILED, CANCELLED = "queued", "sending", "sent", "unconfirmed", "failed", "cancelled"
STATUSES = (QUEUED, SENDING, SENT, UNCONFIRMED, FAILED, CANCELLED)
PANEL_MAILINGS = (INVITATION, REMINDER, FACTSHEET)  # one per member per survey; List-Unsubscribe
TRANSACTIONAL = (CONFIRM_SIGNUP, CONFIRM_LEAVE, CONTACT_MESSAGE)
ACTIVE = "m.confirmed IS NOT NULL AND m.left_at IS NULL"

_COLUMNS = "id, slug, kind, mailing, member_id, ref, dedupe, status, attempts, due, created"


@dataclass(frozen=True)
class Item:
    """A claimed row with what rendering it needs: the recipient's address and name (None when
    the contact data are gone) and whether the member may still get it."""

    id: str
    slug: str
    kind: str
    mailing: str
    member_id: str | None
    ref: str | None
    attempts: int
    created: float
    email: str | None
    name: str | None
    current: bool  # the member exists and has not left; for panel mailings also confirmed


def sender_id() -> str:
    """Who claims: host, process and a random part (one process may run several senders)."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


def _dead_here(claimed_by: str) -> bool:
    """A claim of a process on this host that no longer runs: its rows need not wait for the lease."""
    host, _, rest = claimed_by.partition("/")
    pid = rest.partition("/")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, another user's
        return False
    return False


def dedupe_key(kind: str, mailing: str, member_id: str | None) -> str:
    if kind in PANEL_MAILINGS:
        return f"{kind}/{mailing}/{member_id}"
    return f"{kind}/{uuid.uuid4().hex}"  # a confirmation link may be asked for again: each is its own mail


def queue(tx, slug: str, kind: str, now: float, member_id: str | None = None, ref: str | None = None,
          mailing: str = "") -> str | None:
    """One row; its id, or None when the dedupe key was there already."""
    row_id = uuid.uuid4().hex
    tx.execute(f"INSERT INTO outbox ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) "
               "ON CONFLICT (slug, dedupe) DO NOTHING",
               (row_id, slug, kind, mailing, member_id, ref, dedupe_key(kind, mailing, member_id), QUEUED, now, now))
    return row_id if tx.rowcount == 1 else None


def queue_many(tx, slug: str, kind: str, mailing: str, member_ids: list[str], now: float) -> int:
    """A panel mailing's rows, one per member; how many were new."""
    before = count_mailing(tx, slug, kind, mailing)
    tx.cursor.executemany(
        _placeholders(tx, f"INSERT INTO outbox ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 0, ?, ?) "
                          "ON CONFLICT (slug, dedupe) DO NOTHING"),
        [(uuid.uuid4().hex, slug, kind, mailing, m, dedupe_key(kind, mailing, m), QUEUED, now, now) for m in member_ids])
    return count_mailing(tx, slug, kind, mailing) - before


def _placeholders(tx, sql: str) -> str:
    return sql if tx.placeholder == "?" else sql.replace("?", tx.placeholder)


def count_mailing(tx, slug: str, kind: str, mailing: str) -> int:
    return tx.one("SELECT COUNT(*) FROM outbox WHERE slug = ? AND kind = ? AND mailing = ?", (slug, kind, mailing))[0]


def sent_today(tx, slug: str, kind: str, member_id: str, since: float) -> int:
    """Mails of this kind queued for this member (one address) since ``since``, sent or not."""
    return tx.one("SELECT COUNT(*) FROM outbox WHERE slug = ? AND kind = ? AND member_id = ? AND created >= ?",
                  (slug, kind, member_id, since))[0]


def recipients(tx, slug: str, kind: str, survey_id: str) -> tuple[list[str], int]:
    """(member ids a panel mailing goes to, how many of them have a row for it already).

    Every current, confirmed member with contact data; a reminder only to those whose
    invitation went out and who have not responded (``responded`` says *that* a member
    answered, never which answers are theirs).
    """
    sql = (f"SELECT m.member_id FROM members m JOIN contacts c ON c.member_id = m.member_id "
           f"WHERE m.slug = ? AND {ACTIVE}")
    params: list = [slug]
    if kind == REMINDER:
        sql += (" AND EXISTS (SELECT 1 FROM outbox i WHERE i.slug = m.slug AND i.kind = ? AND i.mailing = ? "
                "AND i.member_id = m.member_id AND i.status IN (?, ?))"
                " AND NOT EXISTS (SELECT 1 FROM responded r WHERE r.slug = m.slug AND r.survey_id = ? "
                "AND r.member_id = m.member_id)")
        params += [INVITATION, survey_id, SENT, UNCONFIRMED, survey_id]
    members = [r[0] for r in tx.all(sql + " ORDER BY m.confirmed, m.member_id", tuple(params))]
    done = {r[0] for r in tx.all("SELECT member_id FROM outbox WHERE slug = ? AND kind = ? AND mailing = ?",
                                 (slug, kind, survey_id))}
    return members, sum(1 for m in members if m in done)


# --- the sender's side ------------------------------------------------------------------------


def claim(tx, claimant: str, now: float, lease: float, limit: int, scope: tuple | None = None,
          ids: list[str] | None = None, skip_locked: str = "") -> list[Item]:
    """Take up to ``limit`` rows that are due (or whose sender died) for ``claimant``.

    ``scope`` = (slug, kind, mailing) keeps a command to its own mailing; ``ids`` takes
    exactly those rows (the collector sending a mail it just queued).
    """
    for (claimed_by,) in tx.all("SELECT DISTINCT claimed_by FROM outbox WHERE status = ? AND lease_until >= ?",
                                (SENDING, now)):
        if claimed_by and _dead_here(claimed_by):
            tx.execute("UPDATE outbox SET lease_until = 0 WHERE status = ? AND claimed_by = ?", (SENDING, claimed_by))
    # Handed over by a sender that is gone: the server may have it; never again (see the module text).
    tx.execute("UPDATE outbox SET status = ?, finished = ?, error = ? WHERE status = ? AND handed_over IS NOT NULL "
               "AND lease_until < ?", (UNCONFIRMED, now, "the sender stopped after handing it over", SENDING, now))
    due = "((status = ? AND due <= ?) OR (status = ? AND handed_over IS NULL AND lease_until < ?))"
    where, params = due, [QUEUED, now, SENDING, now]
    if scope is not None:
        where += " AND slug = ? AND kind = ? AND mailing = ?"
        params += list(scope)
    if ids is not None:
        if not ids:
            return []
        where += f" AND id IN ({', '.join('?' * len(ids))})"
        params += list(ids)
    chosen = [r[0] for r in tx.all(f"SELECT id FROM outbox WHERE {where} ORDER BY due, created, id LIMIT ?{skip_locked}",
                                   (*params, limit))]
    if not chosen:
        return []
    marks = ", ".join("?" * len(chosen))
    # The conditions again: on PostgreSQL the UPDATE re-reads each row as it is now.
    tx.execute(f"UPDATE outbox SET status = ?, claimed_by = ?, lease_until = ?, attempts = attempts + 1 "
               f"WHERE id IN ({marks}) AND {due}", (SENDING, claimant, now + lease, *chosen, QUEUED, now, SENDING, now))
    rows = tx.all(
        "SELECT o.id, o.slug, o.kind, o.mailing, o.member_id, o.ref, o.attempts, o.created, c.email, c.name, "
        "m.member_id, m.confirmed, m.left_at FROM outbox o LEFT JOIN members m ON m.member_id = o.member_id "
        f"LEFT JOIN contacts c ON c.member_id = o.member_id WHERE o.id IN ({marks}) AND o.claimed_by = ? "
        "AND o.status = ? ORDER BY o.due, o.created, o.id", (*chosen, claimant, SENDING))
    items = []
    for r in rows:
        kind, exists, confirmed, left = r[2], r[10] is not None, r[11], r[12]
        if kind == CONTACT_MESSAGE:
            current = True
        elif kind in PANEL_MAILINGS:
            current = exists and confirmed is not None and left is None
        else:
            current = exists and left is None
        items.append(Item(r[0], r[1], kind, r[3], r[4], r[5], r[6], r[7], r[8], r[9], bool(current)))
    return items


def hand_over(tx, row_id: str, claimant: str, message_id: str, now: float) -> bool:
    """Right before the final dot: True while this sender still holds the row (then it is never sent again)."""
    tx.execute("UPDATE outbox SET handed_over = ?, message_id = ? WHERE id = ? AND claimed_by = ? AND status = ? "
               "AND handed_over IS NULL", (now, message_id, row_id, claimant, SENDING))
    return tx.rowcount == 1


def finish(tx, row_id: str, claimant: str, status: str, now: float, error: str | None = None,
           due: float | None = None, lease: float | None = None) -> None:
    """The outcome of one row; ``due`` for one to try again (queued, not handed over). Renews the
    lease of the sender's other rows (a slow server must not let them look abandoned)."""
    if status == QUEUED:
        tx.execute("UPDATE outbox SET status = ?, due = ?, handed_over = NULL, claimed_by = NULL, lease_until = NULL, "
                   "error = ? WHERE id = ? AND claimed_by = ?", (QUEUED, due, error, row_id, claimant))
    else:
        tx.execute("UPDATE outbox SET status = ?, finished = ?, error = ?, lease_until = NULL WHERE id = ? "
                   "AND claimed_by = ?", (status, now, error, row_id, claimant))
    if lease is not None:
        tx.execute("UPDATE outbox SET lease_until = ? WHERE claimed_by = ? AND status = ? AND handed_over IS NULL",
                   (now + lease, claimant, SENDING))


def release(tx, claimant: str) -> None:
    """Rows this sender claimed and did not hand over go back, without counting an attempt."""
    tx.execute("UPDATE outbox SET status = ?, claimed_by = NULL, lease_until = NULL, attempts = attempts - 1 "
               "WHERE claimed_by = ? AND status = ? AND handed_over IS NULL", (QUEUED, claimant, SENDING))


def cancel_member(tx, member_id: str, now: float) -> None:
    """A member who left gets nothing that still waits."""
    tx.execute("UPDATE outbox SET status = ?, finished = ?, error = ? WHERE member_id = ? AND status = ?",
               (CANCELLED, now, "left the panel", member_id, QUEUED))


def status(tx, slug: str) -> list[tuple[str, str, str, int]]:
    """(kind, mailing, status, count) of a municipality's rows."""
    return [tuple(r) for r in tx.all("SELECT kind, mailing, status, COUNT(*) FROM outbox WHERE slug = ? "
                                     "GROUP BY kind, mailing, status ORDER BY kind, mailing, status", (slug,))]


def mailing_counts(tx, slug: str, kind: str, mailing: str) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for state, n in tx.all("SELECT status, COUNT(*) FROM outbox WHERE slug = ? AND kind = ? AND mailing = ? "
                           "GROUP BY status", (slug, kind, mailing)):
        counts[state] = n
    return counts


def next_due(tx, scope: tuple) -> float | None:
    row = tx.one("SELECT MIN(due) FROM outbox WHERE slug = ? AND kind = ? AND mailing = ? AND status = ?",
                 (*scope, QUEUED))
    return row[0] if row else None


def errors(tx, slug: str) -> list[tuple[str, str, str, int]]:
    """(kind, mailing, error, count) of rows that failed or wait for another attempt."""
    return [tuple(r) for r in tx.all(
        "SELECT kind, mailing, error, COUNT(*) FROM outbox WHERE slug = ? AND error IS NOT NULL AND status IN (?, ?, ?) "
        "GROUP BY kind, mailing, error ORDER BY kind, mailing, error", (slug, FAILED, QUEUED, UNCONFIRMED))]


# --- the text of a mailing that is the same for everyone (the factsheet) -----------------------


def put_text(tx, slug: str, kind: str, mailing: str, subject: str, text: str, html: str | None, now: float) -> bool:
    """Keep a mailing's text; the first one queued stays (True when this one is new)."""
    tx.execute("INSERT INTO mailings (slug, kind, mailing, subject, text, html, created) VALUES (?, ?, ?, ?, ?, ?, ?) "
               "ON CONFLICT (slug, kind, mailing) DO NOTHING", (slug, kind, mailing, subject, text, html, now))
    return tx.rowcount == 1


def text(tx, slug: str, kind: str, mailing: str) -> tuple[str, str, str | None] | None:
    row = tx.one("SELECT subject, text, html FROM mailings WHERE slug = ? AND kind = ? AND mailing = ?",
                 (slug, kind, mailing))
    return tuple(row) if row else None


def contact_fields(tx, message_id: str) -> dict | None:
    import json

    row = tx.one("SELECT fields FROM messages WHERE id = ?", (message_id,))
    return json.loads(row[0]) if row else None
