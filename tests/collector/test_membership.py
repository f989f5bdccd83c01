"""Joining, leaving, joining again and what retention deletes, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from panelsite.collector import retention

from .test_collector import ANSWERS, SIGNUP, _export, confirm_from_mail, key, leave_via_mail, rows

DAY = 86400


def _policy(c):
    return {"lindenhaven": c.state.sites["lindenhaven"].municipality}


def _invitation(c) -> str:
    member_id = next(m for m in rows(_export(c, "members")) if not m["left"])["member_id"]
    return c.state.tokens.member("lindenhaven", member_id)


def test_leaving_before_confirming_deletes_the_contact_data_at_once(make_collector):
    c = make_collector(left_members_days=30)
    assert c.post("aanmelden", {**SIGNUP, "_key": key()}).status_code == 303
    assert leave_via_mail(c, SIGNUP["email"]).status_code == 200
    assert c.storage.count("contacts") == c.storage.count("members") == 0
    again = c.post("aanmelden", {**SIGNUP, "_key": key()})  # was a 500: the old contact held the address
    assert again.status_code == 303
    assert len(c.mails()) == 3 and c.storage.count("contacts") == 1  # sign-up, leave link, sign-up


def test_retention_deletes_contact_data_that_lost_their_member(collector):
    """Databases written before the fix hold such contacts; nothing else finds them."""
    with collector.storage.transaction() as tx:
        tx.execute("INSERT INTO contacts (member_id, slug, email, name, created) VALUES (?, ?, ?, ?, ?)",
                   ("gone", "lindenhaven", "anna@example.nl", "Anna de Vries", time.time()))
    report = retention.apply(collector.storage, _policy(collector), time.time())
    assert report["lindenhaven"]["orphan_contacts"] == 1
    assert collector.storage.count("contacts") == 0


def test_a_member_who_left_can_sign_up_again_as_a_new_member(make_collector):
    c = make_collector(left_members_days=30)
    c.post("aanmelden", {**SIGNUP, "_key": key()})
    confirm_from_mail(c)
    c.post("vragenlijst-proef-2026", {**ANSWERS, "_lid": _invitation(c), "_key": key()})
    assert "binnen 30 dagen" in leave_via_mail(c, SIGNUP["email"]).text
    assert c.storage.count("contacts") == 1  # kept for left_members_days

    for old in c.mails():
        old.unlink()  # mails of one second sort by a random name; confirm_from_mail takes the last
    assert c.post("aanmelden", {**SIGNUP, "wijk": "Noordveld", "_key": key()}).status_code == 303
    assert len(c.mails()) == 1  # a fresh confirmation link, where nothing arrived before
    assert confirm_from_mail(c).headers["location"].endswith("bedankt/bevestigd/")
    members = rows(_export(c, "members"))
    assert [(m["wijk"], bool(m["left"])) for m in members] == [("Centrum", True), ("Noordveld", False)]
    assert c.storage.count("contacts") == 1  # one name and address: the new membership's
    with c.storage.reading() as tx:
        assert tx.one("SELECT member_id FROM responses")[0] is None  # answers from before stay unlinked


def test_retention_deletes_the_profile_of_a_member_who_left(make_collector):
    c = make_collector(left_members_days=30)
    c.post("aanmelden", {**SIGNUP, "_key": key()})
    confirm_from_mail(c)
    c.post("vragenlijst-proef-2026", {**ANSWERS, "_lid": _invitation(c), "_key": key()})
    leave_via_mail(c, SIGNUP["email"])
    now = time.time()
    assert retention.apply(c.storage, _policy(c), now + 29 * DAY)["lindenhaven"]["left_members"] == 0
    report = retention.apply(c.storage, _policy(c), now + 31 * DAY)["lindenhaven"]
    assert report["left_contacts"] == 1 and report["left_members"] == 1
    assert c.storage.count("members") == c.storage.count("contacts") == 0
    assert rows(_export(c, "proef-2026"))[0]["wijk"] == "Centrum"  # the answers keep their own background


def test_an_invited_member_answers_once_and_the_answers_are_not_linked_to_the_member(collector):
    collector.post("aanmelden", {**SIGNUP, "_key": key()})
    confirm_from_mail(collector)
    invitation = _invitation(collector)
    first = collector.post("vragenlijst-proef-2026", {**ANSWERS, "q3": "6", "_lid": invitation, "_key": key()}, json=True)
    assert first.json()["ok"]
    for grade in ("7", "9"):  # the same invitation again: refused, nothing of it stored
        r = collector.post("vragenlijst-proef-2026", {**ANSWERS, "q3": grade, "_lid": invitation, "_key": key()}, json=True)
        assert r.status_code == 409 and not r.json()["ok"]
    assert [r["q3"] for r in rows(_export(collector, "proef-2026"))] == ["6"]
    with collector.storage.reading() as tx:
        # that the member responded (for the reminders), and nothing that ties the answers to them
        assert tx.one("SELECT COUNT(*) FROM responded")[0] == 1
        assert tx.all("SELECT member_id FROM responses") == [(None,)]
    for _ in range(2):  # without an invitation nothing links two responses: both count
        collector.post("vragenlijst-proef-2026", {**ANSWERS, "_key": key()}, json=True)
    assert collector.storage.count("responses") == 3


def test_opening_an_older_database_keeps_the_latest_response_of_each_member_and_unlinks_it(collector):
    storage = collector.storage
    with storage.transaction() as tx:
        tx.execute("DROP INDEX responses_member")  # as before the index existed
        for n, created in enumerate((100.0, 300.0, 200.0)):
            tx.execute("INSERT INTO responses (respondent_id, slug, survey_id, member_id, background, answers, created) "
                       "VALUES (?, 'lindenhaven', 'proef-2026', 'm1', '{}', ?, ?)", (f"r{n}", f'{{"q3": {n}}}', created))
        tx.execute("INSERT INTO responses (respondent_id, slug, survey_id, member_id, background, answers, created) "
                   "VALUES ('anon', 'lindenhaven', 'proef-2026', NULL, '{}', '{}', 50.0)")
    storage.setup()  # what every start runs
    with storage.reading() as tx:
        assert tx.all("SELECT respondent_id FROM responses ORDER BY respondent_id") == [("anon",), ("r1",)]
        # the earlier answers were acknowledged once: kept aside, not deleted
        assert tx.all("SELECT respondent_id FROM superseded_responses ORDER BY respondent_id") == [("r0",), ("r2",)]
        # what stays is that m1 responded; the answers no longer name the member
        assert tx.all("SELECT slug, survey_id, member_id FROM responded") == [("lindenhaven", "proef-2026", "m1")]
        assert tx.all("SELECT DISTINCT member_id FROM responses") == [(None,)]
        assert tx.all("SELECT DISTINCT member_id FROM superseded_responses") == [(None,)]
