"""The collector's tables, created (and older databases brought up to date) on every start.

Contact data (``contacts``) live apart from answers (``responses``); the link is a
pseudonymous member id, and responses carry their own copy of the background variables so
they stay usable when a member leaves. No IP addresses: rate-limit buckets are keyed hashes.
"""

from __future__ import annotations

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
    # That a member responded, for the reminders; never which answers are theirs. No time, and on
    # SQLite no rowid (whose order would follow the answers'); see membership.Response.
    """CREATE TABLE IF NOT EXISTS responded (
        slug TEXT NOT NULL, survey_id TEXT NOT NULL, member_id TEXT NOT NULL,
        PRIMARY KEY (slug, survey_id, member_id))/*without rowid*/""",
    # Databases from before kept the member with the answers: keep only the fact, unlink the answers.
    """INSERT INTO responded (slug, survey_id, member_id) SELECT DISTINCT slug, survey_id, member_id FROM responses
        WHERE member_id IS NOT NULL ON CONFLICT DO NOTHING""",
    "UPDATE responses SET member_id = NULL WHERE member_id IS NOT NULL",
    "UPDATE superseded_responses SET member_id = NULL WHERE member_id IS NOT NULL",
    # Every mail is a row first (storage/outbox.py): the text is rendered when it is sent.
    """CREATE TABLE IF NOT EXISTS outbox (
        id TEXT PRIMARY KEY, slug TEXT NOT NULL, kind TEXT NOT NULL, mailing TEXT NOT NULL, member_id TEXT, ref TEXT,
        dedupe TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, due DOUBLE PRECISION NOT NULL,
        claimed_by TEXT, lease_until DOUBLE PRECISION, handed_over DOUBLE PRECISION, message_id TEXT, error TEXT,
        created DOUBLE PRECISION NOT NULL, finished DOUBLE PRECISION)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS outbox_dedupe ON outbox (slug, dedupe)",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, due)",
    "CREATE INDEX IF NOT EXISTS outbox_mailing ON outbox (slug, kind, mailing, member_id)",
    "CREATE INDEX IF NOT EXISTS outbox_member ON outbox (member_id, kind, created)",
    # The text of a mailing that is the same for every member (the factsheet), as first queued.
    """CREATE TABLE IF NOT EXISTS mailings (
        slug TEXT NOT NULL, kind TEXT NOT NULL, mailing TEXT NOT NULL, subject TEXT NOT NULL, text TEXT NOT NULL,
        html TEXT, created DOUBLE PRECISION NOT NULL, PRIMARY KEY (slug, kind, mailing))""",
]
