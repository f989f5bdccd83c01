"""What a submission changes in the database: joining, asking to leave, answers, messages.

Each change is a small frozen object whose ``apply(tx)`` runs inside the transaction that
also records the submission's idempotency key and counts the rate limit
(:meth:`Storage.submit`), so a change is stored once or not at all. ``apply`` returns the
:class:`Mail` the change calls for, or None; ``submit`` puts it in the outbox in the same
transaction, so an acknowledged sign-up has its mail even if the process dies right after.
Whoever sends a form gets the same answer whether or not a mail goes out: the collector never
tells anyone whether an address is known.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from panelsite.collector.security import LEAVE_MAX_AGE

CONFIRM_SIGNUP = "confirm-signup"
CONFIRM_LEAVE = "confirm-leave"
CONTACT_MESSAGE = "contact-message"
INVITATION = "invitation"
REMINDER = "reminder"
FACTSHEET = "factsheet"
# A member's second answers to one questionnaire: nothing is stored (the first answers count).
ANSWERED_BEFORE = "answered-before"


@dataclass(frozen=True)
class Mail:
    """A mail a change calls for, as the outbox row it becomes: its kind names the template
    (``email/<kind>.txt``); the text is rendered when it is sent, from what is stored then.

    ``member_id`` is the recipient (None: the municipality itself); ``ref`` the pending leave
    request (confirm-leave) or the stored message (contact-message); ``per_day`` the most mails
    of this kind one member (one address) gets per day.
    """

    kind: str
    slug: str
    member_id: str | None = None
    ref: str | None = None
    per_day: int | None = None


@dataclass(frozen=True)
class SignUp:
    """A sign-up (double opt-in): a new member, or a fresh link for a pending sign-up."""

    slug: str
    email: str  # as typed, after the address check; stored lower-cased
    name: str
    profile: dict  # {"variables": …, "birth_year": …, "extra": …}
    consent_version: str  # the server's current version, never a posted one
    now: float
    mails_per_day: int | None = None  # mail.confirmations_per_day

    def apply(self, tx) -> Mail | None:
        key = self.email.lower()
        row = tx.one("SELECT c.member_id, m.member_id, m.confirmed, m.left_at FROM contacts c "
                     "LEFT JOIN members m ON m.member_id = c.member_id WHERE c.slug = ? AND c.email = ?", (self.slug, key))
        if row and row[1] is not None and row[3] is None:
            if row[2] is not None:
                return None  # already a member: the same answer, and no mail (no account enumeration)
            member_id = row[0]  # a pending sign-up: the new one replaces it, with a fresh link
            tx.execute("UPDATE members SET profile = ?, consent_version = ?, created = ? WHERE member_id = ?",
                       (json.dumps(self.profile), self.consent_version, self.now, member_id))
            tx.execute("UPDATE contacts SET name = ?, created = ? WHERE member_id = ?", (self.name, self.now, member_id))
            return self._mail(member_id)
        if row:
            # Someone who left (their contact data wait for left_members_days) or a contact
            # without a member: they join as a new member. The old membership keeps its left
            # date for the register, its answers stay unlinked, and its contact data go now:
            # the new sign-up holds the same name and address.
            tx.execute("DELETE FROM contacts WHERE member_id = ?", (row[0],))
        member_id = uuid.uuid4().hex
        # Two sign-ups for one address at the same moment (PostgreSQL, several instances):
        # the second waits for the first and then inserts nothing, and gets the same answer.
        tx.execute("INSERT INTO contacts (member_id, slug, email, name, created) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (slug, email) DO NOTHING", (member_id, self.slug, key, self.name, self.now))
        if tx.rowcount == 0:
            return None
        tx.execute("INSERT INTO members (member_id, slug, profile, consent_version, created) VALUES (?, ?, ?, ?, ?)",
                   (member_id, self.slug, json.dumps(self.profile), self.consent_version, self.now))
        return self._mail(member_id)

    def _mail(self, member_id: str) -> Mail:
        return Mail(CONFIRM_SIGNUP, self.slug, member_id=member_id, per_day=self.mails_per_day)


@dataclass(frozen=True)
class LeaveRequest:
    """Asking to leave changes nothing yet: a current member (or pending sign-up) gets a mail
    with a signed link, and leaves only by pressing the button behind it (:func:`leave`). The
    reason waits in ``leave_requests``, without a member id: only the signed link ties the two."""

    slug: str
    email: str
    reason: str | None
    now: float
    mails_per_day: int | None = None  # mail.confirmations_per_day

    def apply(self, tx) -> Mail | None:
        tx.execute("DELETE FROM leave_requests WHERE created < ?", (self.now - LEAVE_MAX_AGE,))
        row = tx.one("SELECT c.member_id, c.name FROM contacts c JOIN members m ON m.member_id = c.member_id "
                     "WHERE c.slug = ? AND c.email = ? AND m.left_at IS NULL", (self.slug, self.email.lower()))
        if row is None:
            return None  # unknown, or left already: no mail, the same answer
        request_id = None
        if self.reason:
            request_id = uuid.uuid4().hex
            tx.execute("INSERT INTO leave_requests (id, slug, reason, created) VALUES (?, ?, ?, ?)",
                       (request_id, self.slug, self.reason, self.now))
        # The mail greets with the stored name, never one typed into this form: whoever knows an
        # address can send the form, and what they type must not reach the member.
        return Mail(CONFIRM_LEAVE, self.slug, member_id=row[0], ref=request_id, per_day=self.mails_per_day)


@dataclass(frozen=True)
class ContactMessage:
    """A message through the contact form, stored and mailed to the municipality."""

    slug: str
    fields: dict
    now: float

    def apply(self, tx) -> Mail:
        message_id = uuid.uuid4().hex
        tx.execute("INSERT INTO messages (id, slug, fields, created) VALUES (?, ?, ?, ?)",
                   (message_id, self.slug, json.dumps(self.fields), self.now))
        return Mail(CONTACT_MESSAGE, self.slug, ref=message_id)


@dataclass(frozen=True)
class Response:
    """Answers to a questionnaire. For an invited member (``member_id``) the collector records
    *that* they responded (``responded``: for the reminders), never which answers are theirs:
    the answers are stored without the member, under a random id, with their own copy of the
    background. So a member answers once; a second post of the same invitation stores nothing
    (``ANSWERED_BEFORE``). Anonymous responses (member_id None) never match anything."""

    slug: str
    survey_id: str
    member_id: str | None
    background: dict
    answers: dict
    now: float

    def apply(self, tx) -> str | None:
        if self.member_id is not None:
            # No time and (on SQLite) no row order in this table: nothing to match with the answers by.
            tx.execute("INSERT INTO responded (slug, survey_id, member_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       (self.slug, self.survey_id, self.member_id))
            if tx.rowcount == 0:
                return ANSWERED_BEFORE
        tx.execute("INSERT INTO responses (respondent_id, slug, survey_id, member_id, background, answers, created) "
                   "VALUES (?, ?, ?, NULL, ?, ?, ?)",
                   (uuid.uuid4().hex[:16], self.slug, self.survey_id, json.dumps(self.background),
                    json.dumps(self.answers), self.now))
        return None


def confirm(tx, slug: str, member_id: str, now: float) -> bool:
    """Mark a sign-up confirmed; False when the member does not exist (any more)."""
    row = tx.one("SELECT confirmed FROM members WHERE member_id = ? AND slug = ? AND left_at IS NULL", (member_id, slug))
    if row is None:
        return False
    if row[0] is None:
        tx.execute("UPDATE members SET confirmed = ? WHERE member_id = ?", (now, member_id))
    return True


def leave(tx, slug: str, member_id: str, request_id: str | None, now: float, left_days: int, reason_day: float) -> str:
    """Confirmed leaving: "deleted" (contact data gone now), "kept" (they go after
    ``left_days``) or "already" (the member left before or does not exist any more).

    Earlier answers were never linked and stay; whether the member responded goes, and so
    does every mail still waiting for them (the outbox). A sign-up that was never confirmed leaves nothing
    behind: left_members_days is for members, and retention finds contact data through the
    member row. The reason for leaving, kept with the pending request, moves to
    ``leave_reasons`` (with the day only) now, and only now.
    """
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
    tx.execute("DELETE FROM responded WHERE member_id = ?", (member_id,))
    tx.execute("UPDATE outbox SET status = 'cancelled', finished = ?, error = 'left the panel' "
               "WHERE member_id = ? AND status = 'queued'", (now, member_id))
    deleted = left_days == 0 or confirmed is None
    if deleted:
        tx.execute("DELETE FROM contacts WHERE member_id = ?", (member_id,))
    tx.execute("DELETE FROM members WHERE member_id = ? AND confirmed IS NULL", (member_id,))
    if reason:
        tx.execute("INSERT INTO leave_reasons (id, slug, reason, created) VALUES (?, ?, ?, ?)",
                   (uuid.uuid4().hex, slug, reason, reason_day))
    return "deleted" if deleted else "kept"


def member_profile(tx, slug: str, member_id: str) -> dict | None:
    """A confirmed, current member's profile, or None."""
    row = tx.one("SELECT profile FROM members WHERE member_id = ? AND slug = ? AND confirmed IS NOT NULL "
                 "AND left_at IS NULL", (member_id, slug))
    return json.loads(row[0]) if row else None


def in_panel(tx, slug: str, member_id: str) -> bool:
    """The member exists and has not left (confirmed or not yet)."""
    return tx.one("SELECT 1 FROM members WHERE member_id = ? AND slug = ? AND left_at IS NULL", (member_id, slug)) is not None
