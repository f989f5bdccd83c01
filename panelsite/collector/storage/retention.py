"""The deletions ``panelsite retention`` runs, per municipality and for housekeeping.

The periods come from :mod:`panelsite.collector.retention` (the municipality's
``privacy.retention``); this module only knows which rows each period covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from panelsite.collector.security import LEAVE_MAX_AGE

DAY = 86400.0
MAIL_DAYS = 7
TRANSACTIONAL = "'confirm-signup', 'confirm-leave', 'contact-message'"
DRAFT_MAX_AGE = 3600.0  # an error page shows what was typed for an hour
MONTH = 30.44 * DAY


@dataclass(frozen=True)
class Periods:
    """How long a municipality keeps each kind of data (``privacy.retention``)."""

    unconfirmed_days: int
    contact_messages_days: int
    answers_months: int
    left_members_days: int


def apply(tx, periods: dict[str, Periods], now: float, dry_run: bool) -> dict[str, dict[str, int]]:
    """Delete (or with ``dry_run`` only count) what is past its period; counts per slug."""
    report: dict[str, dict[str, int]] = {}
    for slug, p in periods.items():
        unconfirmed = now - p.unconfirmed_days * DAY
        messages = now - p.contact_messages_days * DAY
        answers = now - p.answers_months * MONTH
        left = now - p.left_members_days * DAY
        steps = [
            ("unconfirmed_contacts", "contacts", "member_id IN (SELECT member_id FROM members WHERE slug = ? "
                                                 "AND confirmed IS NULL AND created < ?)", (slug, unconfirmed)),
            ("unconfirmed_members", "members", "slug = ? AND confirmed IS NULL AND created < ?", (slug, unconfirmed)),
            ("left_contacts", "contacts", "member_id IN (SELECT member_id FROM members WHERE slug = ? "
                                          "AND left_at IS NOT NULL AND left_at <= ?)", (slug, left)),
            # Their answers were unlinked when they left and carry their own background copy,
            # so the profile (birth year, wijk, extra fields) serves nothing any more.
            ("left_members", "members", "slug = ? AND left_at IS NOT NULL AND left_at <= ?", (slug, left)),
            # Contact data whose member row is gone (earlier versions deleted an
            # unconfirmed member who left and kept the contact): nothing else would find them.
            ("orphan_contacts", "contacts", "slug = ? AND member_id NOT IN (SELECT member_id FROM members)", (slug,)),
            ("messages", "messages", "slug = ? AND created < ?", (slug, messages)),
            ("leave_reasons", "leave_reasons", "slug = ? AND created < ?", (slug, messages)),
            ("responses", "responses", "slug = ? AND created < ?", (slug, answers)),
            ("superseded_responses", "superseded_responses", "slug = ? AND created < ?", (slug, answers)),
            # The outbox: confirmations and contact messages after a week (their links work 7 days;
            # the per-address limit looks back one day); a panel mailing's rows, which keep anyone from
            # getting it twice, as long as their member row.
            ("sent_mail", "outbox", f"slug = ? AND kind IN ({TRANSACTIONAL}) AND created < ?", (slug, now - MAIL_DAYS * DAY)),
            ("members_mail", "outbox", "slug = ? AND member_id IS NOT NULL AND member_id NOT IN (SELECT member_id FROM members)",
             (slug,)),
            ("responded", "responded", "slug = ? AND member_id NOT IN (SELECT member_id FROM members)", (slug,)),
        ]
        report[slug] = _run(tx, steps, dry_run)
    report["_housekeeping"] = _run(tx, [
        ("drafts", "drafts", "created < ?", (now - DRAFT_MAX_AGE,)),
        ("leave_requests", "leave_requests", "created < ?", (now - LEAVE_MAX_AGE,)),
        ("rate_limits", "rate_limits", "win < ?", (int(now - 2 * DAY),)),  # win: start of the window (epoch seconds)
        ("submissions", "submissions", "created < ?", (now - 2 * DAY,)),  # idempotency keys: retries come within seconds
    ], dry_run)
    return report


def _run(tx, steps, dry_run: bool) -> dict[str, int]:
    counts = {}
    for name, table, where, params in steps:
        counts[name] = tx.one(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)[0]
        if not dry_run and counts[name]:
            tx.execute(f"DELETE FROM {table} WHERE {where}", params)
    return counts
