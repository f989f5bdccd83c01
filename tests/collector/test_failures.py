"""When the database fails, and answers that must hold for every response: headers, origins, Dutch texts."""

from __future__ import annotations

import sqlite3
import threading
import uuid

import pytest

from panelsite.collector.storage import Rate, StorageError

from .conftest import ORIGIN, SITE
from .test_collector import ANSWERS, SIGNUP, key

NOT_STORED = "Uw antwoorden zijn nog niet opgeslagen. Probeer het over een minuut opnieuw."


@pytest.fixture
def failing_writes(collector, monkeypatch):
    """The database answers reads but every write fails, as with a full disk or a lock held too long."""
    def fail(fn):
        cause = sqlite3.OperationalError("database or disk is full")
        raise StorageError(cause) from cause

    async def fail_async(fn):
        fail(fn)

    monkeypatch.setattr(collector.storage, "_write", fail)
    monkeypatch.setattr(collector.storage, "_write_async", fail_async)
    return collector


def test_a_failed_write_is_a_503_in_dutch_for_fetch_with_cors(failing_writes, caplog):
    caplog.set_level("INFO", logger="panelsite.collector")
    r = failing_writes.post("aanmelden", {**SIGNUP, "_key": key()}, json=True)
    assert r.status_code == 503 and r.headers["retry-after"] == "60"
    assert r.json() == {"ok": False, "error": NOT_STORED}
    assert r.headers["access-control-allow-origin"] == ORIGIN
    text = "\n".join(rec.getMessage() for rec in caplog.records)
    assert '"event": "store_failed"' in text and '"error": "OperationalError"' in text
    assert "anna" not in text.lower()


def test_a_failed_write_shows_the_form_again_with_what_was_typed(failing_writes):
    typed = key()
    r = failing_writes.post("contact", {"naam": "Anna de Vries", "email": "anna@example.nl", "bericht": "Hallo daar",
                                        "_key": typed})
    assert r.status_code == 503 and r.headers["retry-after"] == "60"
    assert NOT_STORED in r.text and "<title>Fout: " in r.text
    assert 'value="Anna de Vries"' in r.text and "Hallo daar" in r.text
    assert f'value="{typed}"' in r.text  # trying again with the same key cannot store it twice


def test_an_invalid_form_while_writes_fail_is_a_503_too(failing_writes):
    r = failing_writes.post("aanmelden", {**SIGNUP, "email": "kapot", "_key": key()})
    assert r.status_code == 503 and NOT_STORED in r.text


def test_a_failed_confirmation_keeps_the_button(collector, monkeypatch):
    def fail(*args):
        cause = sqlite3.OperationalError("database is locked")
        raise StorageError(cause) from cause

    token = collector.state.tokens.confirmation("lindenhaven", "m1")
    monkeypatch.setattr(collector.storage, "confirm", fail)
    r = collector.client.post("/lindenhaven/bevestigen", data={"t": token})
    assert r.status_code == 503 and r.headers["retry-after"] == "60"
    assert "Uw bevestiging is nog niet opgeslagen" in r.text and f'value="{token}"' in r.text


def test_healthz_fails_when_the_database_takes_no_writes(failing_writes):
    r = failing_writes.client.get("/healthz")
    assert r.status_code == 503 and r.json() == {"status": "error", "detail": "OperationalError"}


def test_healthz_commits_a_write(collector):
    assert collector.client.get("/healthz").status_code == 200
    with collector.storage.reading() as tx:
        assert tx.one("SELECT COUNT(*) FROM heartbeat")[0] == 1


def test_simultaneous_signups_with_one_address_all_get_the_normal_answer(collector, monkeypatch):
    # Each from its own client, as behind a load balancer: one client's rate-limit row would
    # otherwise make the transactions wait for each other.
    monkeypatch.setattr(collector.state, "rate", lambda request, site: Rate(uuid.uuid4().hex, 0, 1000))
    barrier = threading.Barrier(20)
    statuses = []

    def sign_up():
        barrier.wait()
        statuses.append(collector.post("aanmelden", {**SIGNUP, "_key": key()}, json=True).status_code)

    threads = [threading.Thread(target=sign_up) for _ in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert statuses == [200] * 20
    assert collector.storage.count("contacts") == collector.storage.count("members") == 1


def test_every_response_has_the_security_headers(collector):
    page = collector.client.get("/lindenhaven/contact")
    csp = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    # The page is the site's template: its CSS, script and logo come from the site.
    assert csp["style-src"] == csp["script-src"] == csp["img-src"] == ORIGIN
    assert csp["frame-ancestors"] == "'none'" and csp["default-src"] == "'none'"
    assert "'self'" in csp["form-action"] and ORIGIN in csp["form-action"]  # posts here, redirected to the site
    for r in (page, collector.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "Hoi"}, json=True),
              collector.client.get("/healthz"), collector.client.get("/nergens")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_refusals_can_be_read_by_the_page_that_sent_them(make_collector):
    c = make_collector(rate_limit=(1, 600))
    data = {"naam": "A", "email": "a@b.nl", "bericht": "Hoi"}
    c.post("contact", {**data, "_key": key()}, json=True)
    limited = c.post("contact", {**data, "_key": key()}, json=True)
    assert limited.status_code == 429 and limited.headers["access-control-allow-origin"] == ORIGIN
    refused = c.post("contact", {**data, "_key": key()}, json=True, headers={"Origin": "https://elders.example"})
    assert refused.status_code == 403 and "alleen vanaf de website" in refused.json()["error"]
    assert refused.headers["access-control-allow-origin"] == "https://elders.example"


def test_the_host_header_does_not_make_an_origin_the_collectors_own(collector):
    r = collector.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "Hoi"},
                       headers={"Origin": "http://evil.example", "Host": "evil.example"})
    assert r.status_code == 403
    assert collector.storage.count("messages") == 0


@pytest.mark.parametrize("body, content_type", [
    ("&".join(f"f{n}=x" for n in range(400)), "application/x-www-form-urlencoded"),
    ("--x\r\n", "multipart/form-data"),  # no boundary
], ids=["too-many-fields", "no-boundary"])
def test_a_form_the_parser_cannot_read_is_answered_in_dutch(collector, body, content_type):
    r = collector.client.post("/lindenhaven/contact", content=body, headers={"Content-Type": content_type})
    assert r.status_code == 400
    assert "Laad de pagina opnieuw" in r.text and "Too many" not in r.text and "boundary" not in r.text.lower()
    j = collector.client.post("/lindenhaven/contact", content=body,
                              headers={"Content-Type": content_type, "Accept": "application/json"})
    assert j.status_code == 400 and "Laad de pagina opnieuw" in j.json()["error"]
    assert j.headers["access-control-allow-origin"] == ORIGIN


def test_an_unexpected_error_is_a_dutch_page(collector, monkeypatch):
    def broken(*args):
        raise RuntimeError("bug")

    monkeypatch.setattr("panelsite.collector.submissions.change_for", broken)
    r = collector.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "Hoi", "_key": key()})
    assert r.status_code == 500 and "Er ging iets mis" in r.text and SITE in r.text
    assert r.headers["x-content-type-options"] == "nosniff"


def test_questionnaire_answers_survive_a_failed_write_for_a_retry(failing_writes, monkeypatch):
    typed = key()
    r = failing_writes.post("vragenlijst-proef-2026", {**ANSWERS, "_key": typed})
    assert r.status_code == 503 and "Prima geregeld" in r.text
    monkeypatch.undo()
    again = failing_writes.post("vragenlijst-proef-2026", {**ANSWERS, "_key": typed})
    assert again.status_code == 303 and failing_writes.storage.count("responses") == 1
