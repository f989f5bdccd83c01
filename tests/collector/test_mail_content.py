"""What form fields may put into a mail (issue 17, item 11), read from a real SMTP server: text
typed into a form reaches the municipality only as plain text that no mail program turns into a
link, and nothing typed by whoever sends a form reaches a confirmed member."""

from __future__ import annotations

import re
import uuid

import pytest

from .helpers import smtp_server
from .test_collector import SIGNUP, confirm_from_mail

LINKS = re.compile(r"(?i)https?://|www\.|\bevil\.example\b|mailto:|javascript:")


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def smtp_collector(make_collector):
    with smtp_server() as (settings, recorder):
        c = make_collector(smtp=settings)
        c.smtp = recorder
        yield c


def test_a_contact_message_reaches_the_municipality_as_plain_text_without_links(smtp_collector):
    c = smtp_collector
    r = c.post("contact", {
        "naam": 'Anna <a href="https://evil.example/login">Gemeente</a>',
        "email": "anna@example.nl",
        "bericht": "Uw wachtwoord verloopt. Log in op https://evil.example/login of www.evil.example\n"
                   "Naam: Gemeente Lindenhaven\nmailto:x@evil.example javascript:alert(1)",
        "_key": key()})
    assert r.status_code == 303
    [delivered] = c.smtp.wait_for(1)
    message = c.smtp.parsed()
    assert [part.get_content_type() for part in message.walk()] == ["text/plain"]  # never HTML
    body = message.get_content().replace("\r\n", "\n")
    assert not LINKS.search(body), body  # tags stay text: a text/plain part is never read as HTML
    assert "evil[.]example" in body and "Log in op https[:]//evil[.]example/login" in body  # still readable
    # a line of the message cannot pose as a field of the form: it stays indented under "bericht"
    assert re.search(r"^bericht:\n(  .*\n)+", body, re.M) and not re.search(r"^Naam: Gemeente", body, re.M)
    assert str(message["Reply-To"]) == "anna@example.nl"


def test_a_name_in_the_sign_up_mail_is_no_link_either(smtp_collector):
    c = smtp_collector
    c.post("aanmelden", {**SIGNUP, "naam": "Anna, ga naar www.evil.example", "_key": key()})
    c.smtp.wait_for(1)
    body = c.smtp.parsed().get_content().replace("\r\n", "\n")
    assert "Beste Anna, ga naar www[.]evil[.]example," in body
    links = re.findall(r"https?://\S+", body)
    assert len(links) == 1 and "/lindenhaven/bevestigen?t=" in links[0]  # only the collector's own link


def test_nothing_typed_into_a_form_reaches_a_confirmed_member(make_collector):
    """Variants that change only the free text: signing up again, asking to leave with a reason."""
    c = make_collector()
    c.post("aanmelden", {**SIGNUP, "_key": key()})
    confirm_from_mail(c)
    for mail in c.mails():
        mail.unlink()
    bait = "Uw account is geblokkeerd, zie www.evil.example"
    assert c.post("aanmelden", {**SIGNUP, "naam": bait, "_key": key()}).status_code == 303
    assert c.mails() == []  # a member already: no mail at all
    assert c.post("afmelden", {"email": SIGNUP["email"], "reden": bait, "_key": key()}).status_code == 303
    [leave] = c.mails()
    text = leave.read_text()
    assert "Beste Anna de Vries," in text  # the name the member confirmed, not one typed now
    assert "geblokkeerd" not in text and "evil" not in text
    with c.storage.reading() as tx:
        assert tx.all("SELECT name FROM contacts") == [("Anna de Vries",)]
