"""Leaving the panel takes the link in an e-mail: knowing someone's address is not enough."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from panelsite.collector import retention
from panelsite.collector.security import LEAVE_MAX_AGE

from .conftest import SITE
from .test_collector import SIGNUP, _export, confirm_from_mail, key, leave_link, leave_via_mail, rows

SENT = "Kijk in uw e-mail: klik op de link om uw afmelding te bevestigen."
DAY = 86400


def _member(c) -> str:
    return rows(_export(c, "members"))[0]["member_id"]


def _state(c) -> tuple:
    """Everything leaving could change."""
    with c.storage.reading() as tx:
        return (tx.all("SELECT member_id, confirmed, left_at FROM members ORDER BY member_id"),
                tx.all("SELECT member_id, email FROM contacts ORDER BY member_id"),
                tx.all("SELECT member_id FROM responses ORDER BY respondent_id"),
                tx.one("SELECT COUNT(*) FROM leave_reasons")[0])


def _joined(c):
    c.post("aanmelden", {**SIGNUP, "_key": key()})
    confirm_from_mail(c)
    for mail in c.mails():
        mail.unlink()
    return _member(c)


def _post_link(c, token: str) -> httpx.Response:
    return c.client.post("/lindenhaven/afmelden/bevestigen", data={"t": token})


def test_known_and_unknown_addresses_get_the_same_answer(collector):
    _joined(collector)
    answers = []
    for email in ("anna@example.nl", "niemand@example.nl"):
        page = collector.post("afmelden", {"email": email, "reden": "Te druk", "_key": key()})
        fetched = collector.post("afmelden", {"email": email, "reden": "Te druk", "_key": key()}, json=True)
        answers.append((page.status_code, page.headers["location"], page.text, fetched.status_code, fetched.json()))
    assert answers[0] == answers[1]
    assert answers[0][4] == {"ok": True, "redirect": SITE + "bedankt/afmelden/", "message": SENT}
    assert len(collector.mails()) == 2  # both for the known address, none for the unknown one
    assert all("anna@example.nl" in m.read_text() for m in collector.mails())


def test_asking_changes_nothing_and_opening_the_link_changes_nothing(collector):
    _joined(collector)
    before = _state(collector)
    collector.post("afmelden", {"email": "anna@example.nl", "reden": "Te druk", "_key": key()})
    assert _state(collector) == before
    body = collector.mails()[0].read_text()
    assert "Bevestig uw afmelding" in body and "De link werkt 7 dagen" in body and "Beste Anna de Vries" in body
    link = leave_link(collector.mails()[0])
    for _ in range(2):  # a mail scanner fetches the link, maybe more than once
        page = httpx.get(link)
        assert page.status_code == 200 and "Ja, meld mij af" in page.text
    assert _state(collector) == before
    assert collector.storage.count("leave_reasons") == 0  # the reason waits for the confirmation
    assert collector.storage.count("leave_requests") == 1


def test_pressing_the_button_leaves_and_stores_the_reason(collector):
    _joined(collector)
    r = leave_via_mail(collector, "anna@example.nl", "Te druk")
    assert r.status_code == 200 and "U bent afgemeld" in r.text and "Bedankt dat u hebt meegedaan" in r.text
    assert rows(_export(collector, "members"))[0]["left"] != ""
    assert collector.storage.count("contacts") == 0
    with collector.storage.reading() as tx:
        reason, day = tx.one("SELECT reason, created FROM leave_reasons")
    assert reason == "Te druk" and day % DAY == 0  # the day only
    assert collector.storage.count("leave_requests") == 0


def test_a_reason_without_confirmation_is_never_stored(collector):
    _joined(collector)
    collector.post("afmelden", {"email": "anna@example.nl", "reden": "Te druk", "_key": key()})
    collector.post("afmelden", {"email": "niemand@example.nl", "reden": "Geen tijd", "_key": key()})
    assert collector.storage.count("leave_reasons") == 0
    report = retention.apply(collector.storage, {}, time.time() + LEAVE_MAX_AGE + 60)
    assert report["_housekeeping"]["leave_requests"] == 1
    assert collector.storage.count("leave_requests") == 0


def test_a_replayed_link_says_it_is_done(collector):
    _joined(collector)
    collector.post("afmelden", {"email": "anna@example.nl", "reden": "Te druk", "_key": key()})
    link = leave_link(collector.mails()[0])
    token = re.search(r"\?t=(\S+)", link).group(1)
    assert "U bent afgemeld" in _post_link(collector, token).text
    after = _state(collector)
    again = _post_link(collector, token)
    assert again.status_code == 200 and "U bent al afgemeld" in again.text
    assert "U bent al afgemeld" in httpx.get(link).text
    assert _state(collector) == after and collector.storage.count("leave_reasons") == 1


def test_two_requests_leave_once_and_keep_one_reason(collector):
    _joined(collector)
    collector.post("afmelden", {"email": "anna@example.nl", "reden": "Te druk", "_key": key()})
    collector.post("afmelden", {"email": "anna@example.nl", "reden": "Te veel mail", "_key": key()})
    tokens = [re.search(r"\?t=(\S+)", leave_link(m)).group(1) for m in collector.mails()]
    assert "U bent afgemeld" in _post_link(collector, tokens[0]).text
    assert "U bent al afgemeld" in _post_link(collector, tokens[1]).text
    assert collector.storage.count("leave_reasons") == 1 and collector.storage.count("leave_requests") == 0


def test_tampered_expired_and_signup_tokens_are_refused(collector):
    member_id = _joined(collector)
    tokens = collector.state.tokens
    good = tokens.leave("lindenhaven", member_id)
    bad = {
        "tampered": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        "signup": tokens.confirmation("lindenhaven", member_id),
        "invitation": tokens.member("lindenhaven", member_id),
        "other site": tokens.leave("elders", member_id),
        "empty": "",
    }
    before = _state(collector)
    for name, token in bad.items():
        page = collector.client.get("/lindenhaven/afmelden/bevestigen", params={"t": token})
        assert "Deze link werkt niet meer" in page.text and "Ja, meld mij af" not in page.text, name
        assert 'href="https://panel.lindenhaven.nl/afmelden/"' in page.text, name
        r = _post_link(collector, token)
        assert r.status_code == 400 and "Deze link werkt niet meer" in r.text, name
    assert _state(collector) == before
    # and a leave token cannot confirm a sign-up
    assert tokens.confirmed_member(good, "lindenhaven") is None
    r = collector.client.post("/lindenhaven/bevestigen", data={"t": good})
    assert r.headers["location"] == SITE + "bedankt/link-verlopen/"


def test_an_expired_link_is_refused(collector, monkeypatch):
    member_id = _joined(collector)
    token = collector.state.tokens.leave("lindenhaven", member_id)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + LEAVE_MAX_AGE + 60)  # itsdangerous reads time.time
    try:
        page = collector.client.get("/lindenhaven/afmelden/bevestigen", params={"t": token})
        r = _post_link(collector, token)
    finally:
        monkeypatch.undo()
    assert "Deze link werkt niet meer" in page.text and "Vraag een nieuwe link aan" in page.text
    assert r.status_code == 400 and "Deze link werkt niet meer" in r.text
    assert rows(_export(collector, "members"))[0]["left"] == ""
    assert collector.storage.count("contacts") == 1


@pytest.mark.parametrize("left_members_days, contacts, text", [(0, 0, "verwijderd"), (30, 1, "binnen 30 dagen")])
def test_leaving_keeps_the_retention_rules(make_collector, left_members_days, contacts, text):
    c = make_collector(left_members_days=left_members_days)
    _joined(c)
    r = leave_via_mail(c, "anna@example.nl")
    assert text in r.text
    assert c.storage.count("contacts") == contacts and c.storage.count("members") == 1


def test_someone_who_left_gets_no_new_leave_mail(collector):
    _joined(collector)
    leave_via_mail(collector, "anna@example.nl")
    mails = len(collector.mails())
    r = collector.post("afmelden", {"email": "anna@example.nl", "_key": key()}, json=True)
    assert r.json()["message"] == SENT and len(collector.mails()) == mails
