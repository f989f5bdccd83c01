"""One strict address parser for every address (issue 17, item 6), checked against a real SMTP
server (aiosmtpd): what reaches RCPT TO is exactly the address that was validated."""

from __future__ import annotations

import uuid

import pytest

from panelsite.config.municipality import load_municipalities
from panelsite.errors import ConfigError

from .helpers import make_project, smtp_server
from .test_collector import ANSWERS, SIGNUP

SITE = "https://panel.lindenhaven.nl/"
INVALID = "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl"


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def smtp_collector(make_collector):
    with smtp_server() as (settings, recorder):
        c = make_collector(smtp=settings)
        c.smtp = recorder
        yield c


@pytest.mark.parametrize("address", [
    "postmaster(x@evil.example",  # a comment that smtplib would end at "(": RCPT TO:<postmaster>
    "anna(commentaar)@example.nl",
    "=?utf-8?q?victim=40evil.example?=@example.nl",  # an encoded-word, decoded into another address
    "=?utf-8?b?dmljdGltQGV2aWwuZXhhbXBsZQ==?=@example.nl",
    '"anna de vries"@example.nl',  # a quoted local part
    "Anna <anna@example.nl>",  # a display name
    "anna@example.nl, victim@evil.example",
    "anna@[192.0.2.1]",
    "anna@localhost",
])
def test_a_sign_up_with_a_crafted_address_is_a_field_error_and_nothing_is_sent(smtp_collector, address):
    c = smtp_collector
    r = c.post("aanmelden", {**SIGNUP, "email": address, "_key": key()}, json=True)
    assert r.status_code == 422 and r.json()["errors"] == {"email": INVALID}
    assert c.storage.count("contacts") == 0
    r = c.post("afmelden", {"email": address, "_key": key()}, json=True)
    assert r.status_code == 422 and r.json()["errors"] == {"email": INVALID}
    r = c.post("contact", {"naam": "A", "email": address, "bericht": "Hallo", "_key": key()}, json=True)
    assert r.status_code == 422 and r.json()["errors"] == {"email": INVALID}
    c.post("aanmelden", {**SIGNUP, "_key": key()})  # one real sign-up, so the server is known to work
    assert len(c.smtp.wait_for(1)) == 1
    assert c.smtp.recipients == ["anna@example.nl"]


def test_rcpt_to_is_the_validated_address_and_nothing_else(smtp_collector):
    c = smtp_collector
    assert c.post("aanmelden", {**SIGNUP, "email": "Anna.de.Vries@Example.NL", "_key": key()}).status_code == 303
    c.smtp.wait_for(1)  # each mail leaves after its answer: one at a time keeps their order
    c.post("contact", {"naam": "A", "email": "a@example.nl", "bericht": "Hallo", "_key": key()})
    messages = c.smtp.wait_for(2)
    # The address as the member is stored (one member per address, lower-cased): every mail is
    # written from the stored data when it is sent (the outbox), the first as every later one.
    assert [m.rcpt_tos for m in messages] == [["anna.de.vries@example.nl"], ["panel@lindenhaven.nl"]]
    signup = c.smtp.parsed(0)
    assert str(signup["To"]) == "anna.de.vries@example.nl"
    contact = c.smtp.parsed(1)
    assert str(contact["Reply-To"]) == "a@example.nl" and str(contact["To"]) == "panel@lindenhaven.nl"


@pytest.mark.parametrize("field, value", [
    ("email", "anna\x00@example.nl"),
    ("naam", "Anna\x00de Vries"),
    ("naam", "Anna\r\nBcc: victim@evil.example"),
    ("naam", "Anna\x1b[31m"),
])
def test_nul_and_control_characters_are_a_400_field_error(make_collector, field, value):
    """Also on PostgreSQL, which cannot store NUL: a field error, never a 503 from the database."""
    c = make_collector()
    r = c.post("aanmelden", {**SIGNUP, field: value, "_key": key()}, json=True)
    assert r.status_code == 400
    assert list(r.json()["errors"]) == [field]
    assert c.storage.count("submissions") == 0
    page = c.post("aanmelden", {**SIGNUP, field: value, "_key": key()})
    assert page.status_code == 400 and "Er is een probleem" in page.text and "\x00" not in page.text


def test_a_nul_in_a_message_or_an_answer_is_a_field_error_too(make_collector):
    c = make_collector()
    r = c.post("contact", {"naam": "A", "email": "a@example.nl", "bericht": "Hallo\x00", "_key": key()}, json=True)
    assert r.status_code == 400 and list(r.json()["errors"]) == ["bericht"]
    r = c.post("vragenlijst-proef-2026", {**ANSWERS, "q6": "Prima\x00", "_key": key()}, json=True)
    assert r.status_code == 400 and list(r.json()["errors"]) == ["q6"]
    assert c.storage.count("submissions") == 0


def test_line_breaks_stay_allowed_in_a_message(make_collector):
    c = make_collector()
    r = c.post("contact", {"naam": "A", "email": "a@example.nl", "bericht": "Regel een\r\nRegel twee\tmet tab",
                           "_key": key()}, json=True)
    assert r.status_code == 200 and r.json()["ok"]


@pytest.mark.parametrize("address", ["panel(x@evil.example", "=?utf-8?q?x?=@lindenhaven.nl", "panel@localhost"])
def test_the_municipalitys_own_addresses_go_through_the_same_parser(tmp_path, address):
    project = make_project(tmp_path / "project", SITE)
    path = project / "municipalities" / "lindenhaven.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  email: panel@lindenhaven.nl\n" in text
    line = text[:text.index("  email: panel@lindenhaven.nl\n")].count("\n") + 1
    path.write_text(text.replace("  email: panel@lindenhaven.nl\n", f'  email: "{address}"\n', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_municipalities(project, ["lindenhaven"])
    assert [str(p) for p in refused.value.problems] == [
        f'municipalities/lindenhaven.yaml:{line}: contact.email: "{address}" is not valid '
        "(expected an e-mail address like panel@gemeente.nl)"]
