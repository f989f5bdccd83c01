"""Deleting data when its time is up, per the municipality's ``privacy.retention``.

* sign-ups not confirmed within ``unconfirmed_days``: member and contact data;
* contact-form messages after ``contact_messages_days``;
* answers after ``answers_months`` (published figures stay on the site);
* contact data and the member row (profile) of members who left, ``left_members_days``
  after leaving; contact data without a member row at once;
* housekeeping: error-page drafts after an hour, requests to leave that were never
  confirmed (with their reason) after 7 days, when their link stops working, rate counters
  and idempotency keys after two days; reasons for leaving go with the messages.
"""

from __future__ import annotations

from panelsite.collector.security import LEAVE_MAX_AGE

DAY = 86400.0


def _policy(municipality) -> dict:
    return dict(municipality.privacy.retention)  # with the schema's defaults (config.municipality.PRIVACY)


def apply(storage, municipalities: dict, now: float, dry_run: bool = False) -> dict[str, dict[str, int]]:
    """Delete (or with ``dry_run`` only count) what is past its retention period."""
    report: dict[str, dict[str, int]] = {}
    with storage.transaction() as tx:
        for slug, municipality in municipalities.items():
            p = _policy(municipality)
            unconfirmed = now - p["unconfirmed_days"] * DAY
            messages = now - p["contact_messages_days"] * DAY
            answers = now - p["answers_months"] * 30.44 * DAY
            left = now - p["left_members_days"] * DAY
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
            ]
            counts = {}
            for name, table, where, params in steps:
                counts[name] = tx.one(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)[0]
                if not dry_run and counts[name]:
                    tx.execute(f"DELETE FROM {table} WHERE {where}", params)
            report[slug] = counts
        housekeeping = [
            ("drafts", "created < ?", (now - 3600,)),
            ("leave_requests", "created < ?", (now - LEAVE_MAX_AGE,)),
            ("rate_limits", "win < ?", (int(now - 2 * DAY),)),  # win: start of the window (epoch seconds)
            ("submissions", "created < ?", (now - 2 * DAY,)),  # idempotency keys: retries come within seconds
        ]
        counts = {}
        for table, where, params in housekeeping:
            counts[table] = tx.one(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)[0]
            if not dry_run and counts[table]:
                tx.execute(f"DELETE FROM {table} WHERE {where}", params)
        report["_housekeeping"] = counts
    return report
