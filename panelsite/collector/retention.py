"""Deleting data when its time is up, per the municipality's ``privacy.retention``.

* sign-ups not confirmed within ``unconfirmed_days``: member and contact data;
* contact-form messages after ``contact_messages_days``;
* answers after ``answers_months`` (published figures stay on the site);
* contact data and the member row (profile) of members who left, ``left_members_days``
  after leaving; contact data without a member row at once;
* housekeeping: error-page drafts after an hour, requests to leave that were never
  confirmed (with their reason) after 7 days, when their link stops working, rate counters
  and idempotency keys after two days; reasons for leaving go with the messages.

The rows each period covers are in :mod:`panelsite.collector.storage.retention`.
"""

from __future__ import annotations

from panelsite.collector.storage import Periods


def periods(municipality) -> Periods:
    """The municipality's retention periods (the schema fills in the defaults: config.municipality.PRIVACY)."""
    r = municipality.privacy.retention
    return Periods(unconfirmed_days=r.unconfirmed_days, contact_messages_days=r.contact_messages_days,
                   answers_months=r.answers_months, left_members_days=r.left_members_days)


def apply(storage, municipalities: dict, now: float, dry_run: bool = False) -> dict[str, dict[str, int]]:
    """Delete (or with ``dry_run`` only count) what is past its retention period."""
    return storage.retention({slug: periods(m) for slug, m in municipalities.items()}, now, dry_run=dry_run)
