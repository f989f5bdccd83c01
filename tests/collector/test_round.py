"""A panel round through the real commands (``panelsite mail …``), a real collector and a real
SMTP server (aiosmtpd): invitations, reminders, one-click leaving, closing, retries, two senders."""

from __future__ import annotations

import datetime as dt
import email
import re
import threading
import time
from email import policy

import httpx
import pytest

from panelsite import cli
from panelsite.collector.letters import Letters
from panelsite.collector.mail import SMTPSettings, SMTPTransport
from panelsite.collector.security import Tokens
from panelsite.collector.sender import Backoff, Sender
from panelsite.collector.sites import load_sites
from panelsite.collector.storage import INVITATION, SignUp, open_storage
from panelsite.collector.urls import Urls

from .helpers import SECRET, make_project, smtp_server
from .test_collector import ANSWERS, SIGNUP, key

SURVEY = "vragenlijst-proef-2026"


@pytest.fixture
def round_collector(make_collector, database_url, monkeypatch):
    monkeypatch.setenv("PANELSITE_SECRET", SECRET)  # the commands sign the links as the collector does
    with smtp_server() as (settings, recorder):
        c = make_collector(smtp=settings)
        c.smtp = recorder
        c.settings = settings
        c.database_url = database_url
        yield c


def mail(c, *args: str) -> int:
    """``panelsite mail …`` as an operator runs it, with the collector's database and SMTP server."""
    sending = [] if args[0] == "status" else [
        "--smtp-host", c.settings.host, "--smtp-port", str(c.settings.port), "--smtp-no-starttls", "--smtp-rate", "0",
        "--public-url", c.url + "/"]
    return cli.main(["--root", str(c.project), "mail", *args, "--database-url", c.database_url, *sending])


def parsed(envelope):
    return email.message_from_bytes(envelope.content, policy=policy.default)


def delivered(c, subject_start: str) -> list:
    return [m for m in map(parsed, c.smtp.messages) if str(m["Subject"]).startswith(subject_start)]


def sign_up(c, address: str) -> None:
    """Through the real forms: the sign-up, then the link in the confirmation mail and its button."""
    before = len(c.smtp.messages)
    assert c.post("aanmelden", {**SIGNUP, "email": address, "_key": key()}).status_code == 303
    c.smtp.wait_for(before + 1)
    body = parsed(c.smtp.messages[before]).get_content()
    link = re.search(r"(http://\S+/bevestigen\?t=\S+)", body).group(1)
    page = httpx.get(link)
    token = re.search(r'name="t" value="([^"]+)"', page.text).group(1)
    assert c.client.post("/lindenhaven/bevestigen", data={"t": token}).status_code in (200, 303)


def _members(c, n: int) -> list[str]:
    addresses = [f"lid{i}@example.nl" for i in range(n)]
    for address in addresses:
        sign_up(c, address)
    return addresses


def test_a_round_invitations_reminders_and_one_click_leaving(round_collector, database_url, capsys):
    c = round_collector
    addresses = _members(c, 3)
    sign_ups = len(c.smtp.messages)
    c.post("aanmelden", {**SIGNUP, "email": "nooit.bevestigd@example.nl", "_key": key()})  # never confirmed
    c.smtp.wait_for(sign_ups + 1)

    assert mail(c, "invitations", "lindenhaven", "proef-2026", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "3 recipients, 0 queued before, 3 would be queued" in out and "List-Unsubscribe-Post" in out
    assert c.storage.count("outbox") == sign_ups + 1  # the dry run queued nothing

    assert mail(c, "invitations", "lindenhaven", "proef-2026") == 0
    invitations = delivered(c, "Uitnodiging")
    assert sorted(str(m["To"]) for m in invitations) == addresses  # one each, the unconfirmed one none
    links = [re.search(r"(http://\S+/vragenlijst-proef-2026\?lid=\S+)", m.get_content()).group(1) for m in invitations]
    assert len(set(links)) == 3
    for m in invitations:
        assert m["Message-ID"] and m["Date"] and m["Auto-Submitted"] == "auto-generated"
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.fullmatch(r"<http://127\.0\.0\.1:\d+/lindenhaven/afmelden/direct\?t=\S+>", str(m["List-Unsubscribe"]))
    for envelope in c.smtp.messages[-3:]:  # on the wire the link as it is, never folded into encoded words
        assert re.search(rb"\r\nList-Unsubscribe: <http://127\.0\.0\.1:\d+/lindenhaven/afmelden/direct\?t=[^\s>]+>\r\n",
                         envelope.content)
        assert "tot en met 31 december 2099" in m.get_content()  # the closing date, and the paper version
        assert "/vragenlijst/proef-2026/papier/" in m.get_content()
        assert "mail naar panel@lindenhaven.nl of bel" in m.get_content()
    # Every link works: the form, with the member's own token inside.
    for link in links:
        page = httpx.get(link)
        assert page.status_code == 200 and 'name="_lid"' in page.text
    # Again: nobody twice.
    assert mail(c, "invitations", "lindenhaven", "proef-2026") == 0
    assert len(delivered(c, "Uitnodiging")) == 3

    # The first member answers with their link; the reminders go to the two others only.
    answered = str(invitations[0]["To"])
    lid = links[0].split("lid=")[1]
    assert c.post(SURVEY, {**ANSWERS, "_lid": lid, "_key": key()}, json=True).json()["ok"]
    assert mail(c, "reminders", "lindenhaven", "proef-2026") == 0
    reminders = delivered(c, "Herinnering")
    assert sorted(str(m["To"]) for m in reminders) == sorted(set(addresses) - {answered})

    # The one-click POST of a mail program (RFC 8058) removes the member, with no further step.
    leaver = reminders[0]
    one_click = str(leaver["List-Unsubscribe"]).strip("<>")
    r = httpx.post(one_click, content=b"List-Unsubscribe=One-Click",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    with c.storage.reading() as tx:
        left = tx.one("SELECT COUNT(*) FROM members WHERE left_at IS NOT NULL")[0]
    assert left == 1
    capsys.readouterr()
    assert mail(c, "status", "lindenhaven") == 0
    status = capsys.readouterr().out
    assert re.search(r"invitation proef-2026\s+0\s+0\s+3\s", status), status
    assert re.search(r"reminder proef-2026\s+0\s+0\s+2\s", status), status


def test_after_closing_a_post_is_refused_and_nothing_is_stored(tmp_path, monkeypatch, capsys):
    from starlette.testclient import TestClient

    from panelsite.collector.app import create_app

    project = make_project(tmp_path / "p", "https://panel.lindenhaven.nl/")
    survey = project / "content" / "lindenhaven" / "surveys" / "proef-2026" / "survey.yaml"
    yesterday = dt.date.today() - dt.timedelta(days=1)  # closed at 24:00 of the last day, Dutch time
    survey.write_text(survey.read_text().replace("end: 2099-12-31", f"end: {yesterday.isoformat()}"))
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    app = create_app(project, database_url=db, secret=SECRET, public_url="http://127.0.0.1:1/", min_seconds=0)
    with TestClient(app) as client:
        r = client.post("/lindenhaven/" + SURVEY, data={**ANSWERS, "_key": key()},
                        headers={"Origin": "https://panel.lindenhaven.nl"})
        assert r.status_code == 410 and "gesloten" in r.text and "15 januari 2100" in r.text
        assert client.get("/lindenhaven/" + SURVEY).status_code == 410
        assert app.state.collector.storage.count("responses") == 0
    monkeypatch.setenv("PANELSITE_SECRET", SECRET)
    code = cli.main(["--root", str(project), "mail", "reminders", "lindenhaven", "proef-2026",
                     "--database-url", db, "--public-url", "http://x.example/"])
    assert code == 2 and "no reminders after closing" in capsys.readouterr().err


def test_invitations_wait_for_fieldwork_start_unless_now(make_collector, monkeypatch, capsys):
    c = make_collector()
    survey = c.project / "content" / "lindenhaven" / "surveys" / "proef-2026" / "survey.yaml"
    survey.write_text(survey.read_text().replace("start: 2026-03-02", "start: 2099-06-01"))
    monkeypatch.setenv("PANELSITE_SECRET", SECRET)
    db = f"sqlite:///{c.project / 'db.sqlite3'}"
    open_storage(db, c.project).close()
    base = ["--root", str(c.project), "mail", "invitations", "lindenhaven", "proef-2026", "--database-url", db,
            "--public-url", "http://x.example/", "--queue-only"]
    assert cli.main(base) == 2 and "--now" in capsys.readouterr().err
    assert cli.main([*base, "--now"]) == 0


def test_temporary_failures_are_retried_and_permanent_ones_fail(tmp_path, database_url):
    """451 (try later) for one address, 550 for another: queued again with backoff, then sent; failed."""
    from aiosmtpd.controller import Controller

    from .helpers import free_port

    class Fussy:
        def __init__(self):
            self.tries: dict[str, int] = {}
            self.delivered: list[str] = []

        async def handle_RCPT(self, server, session, envelope, address, options):
            self.tries[address] = self.tries.get(address, 0) + 1
            if address.startswith("later") and self.tries[address] == 1:
                return "451 4.3.0 try again later"
            if address.startswith("never"):
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.delivered.extend(envelope.rcpt_tos)
            return "250 OK"

    project = make_project(tmp_path / "p", "https://panel.lindenhaven.nl/")
    handler, port = Fussy(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    storage = open_storage(database_url, project)
    try:
        ids = _confirmed_members(storage, ["later@example.nl", "never@example.nl", "now@example.nl"])
        storage.queue_mailing("lindenhaven", INVITATION, "proef-2026", ids, time.time())
        sender = _sender(storage, project, port, backoff=Backoff(first=0.2))
        sender.drain()
        counts = storage.mailing_counts("lindenhaven", INVITATION, "proef-2026")
        assert (counts["sent"], counts["failed"], counts["queued"]) == (1, 1, 1)
        _, errors = storage.mail_status("lindenhaven")
        assert any("451" in e[2] for e in errors) and any("550" in e[2] for e in errors)

        time.sleep(0.3)  # the backoff
        sender.drain()
        counts = storage.mailing_counts("lindenhaven", INVITATION, "proef-2026")
        assert (counts["sent"], counts["failed"], counts["queued"]) == (2, 1, 0)
        assert sorted(handler.delivered) == ["later@example.nl", "now@example.nl"]
    finally:
        storage.close()
        controller.stop()


def test_two_senders_at_once_send_each_message_once(tmp_path, database_url):
    project = make_project(tmp_path / "p", "https://panel.lindenhaven.nl/")
    with smtp_server() as (settings, recorder):
        first, second = open_storage(database_url, project), open_storage(database_url, project)
        try:
            ids = _confirmed_members(first, [f"m{i}@example.nl" for i in range(120)])
            first.queue_mailing("lindenhaven", INVITATION, "proef-2026", ids, time.time())
            senders = [_sender(s, project, settings.port, batch=5) for s in (first, second)]
            threads = [threading.Thread(target=s.drain) for s in senders]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            to = [m.rcpt_tos[0] for m in recorder.messages]
            assert len(to) == 120 and len(set(to)) == 120
            assert first.mailing_counts("lindenhaven", INVITATION, "proef-2026")["sent"] == 120
        finally:
            first.close()
            second.close()


def test_sign_up_mails_per_address_per_day_are_limited(round_collector, database_url):
    c = round_collector
    for _ in range(6):  # however many requests come in, each gets the same answer
        assert c.post("aanmelden", {**SIGNUP, "_key": key()}).status_code == 303
    c.smtp.wait_for(3)

    time.sleep(0.5)
    assert len(c.smtp.messages) == 3  # mail.confirmations_per_day: 3


# --- helpers -----------------------------------------------------------------------------


def _confirmed_members(storage, addresses: list[str]) -> list[str]:
    """Members as the sign-up form and its confirmation link make them (the same storage calls)."""
    ids = []
    for address in addresses:
        change = SignUp("lindenhaven", address, "Lid", {"variables": {}, "birth_year": None, "extra": {}}, "v1", 0.0)
        storage.submit("lindenhaven", "aanmelden", key(), 0.0, None, change)
        with storage.reading() as tx:
            member_id = tx.one("SELECT member_id FROM contacts WHERE email = ?", (address,))[0]
        assert storage.confirm("lindenhaven", member_id, 0.0)
        ids.append(member_id)
    return ids


def _sender(storage, project, port: int, backoff: Backoff = Backoff(), batch: int = 50, signers=None) -> Sender:
    sites = load_sites(project)
    letters = Letters(sites, Tokens(SECRET), Urls("http://127.0.0.1:1/", [], None), storage, signers=signers)
    transport = SMTPTransport(SMTPSettings(host="127.0.0.1", port=port, starttls=False))
    return Sender(storage, letters, transport, backoff=backoff, batch=batch, scope=("lindenhaven", INVITATION,
                                                                                    "proef-2026"))


def test_dkim_signed_mail_verifies_with_the_public_key(tmp_path):
    """mail.dkim: dkimpy signs, and the signature holds against the public key as DNS would give it."""
    import base64

    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from panelsite.collector.letters import load_signers

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    project = make_project(tmp_path / "p", "https://panel.lindenhaven.nl/",
                           "mail:\n  from: panel@lindenhaven.nl\n  dkim:\n    selector: panel2026\n"
                           "    key_file: dkim.pem\n")
    (project / "dkim.pem").write_bytes(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public = base64.b64encode(private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    with smtp_server() as (settings, recorder):
        storage = open_storage(f"sqlite:///{tmp_path / 'db.sqlite3'}", project)
        try:
            ids = _confirmed_members(storage, ["signed@example.nl"])
            storage.queue_mailing("lindenhaven", INVITATION, "proef-2026", ids, time.time())
            sender = _sender(storage, project, settings.port, signers=load_signers(load_sites(project), project))
            sender.drain()
        finally:
            storage.close()
        [message] = recorder.messages
    assert b"DKIM-Signature:" in message.content and b"d=lindenhaven.nl" in message.content
    assert b"s=panel2026" in message.content
    records = {b"panel2026._domainkey.lindenhaven.nl.": b"v=DKIM1; k=rsa; p=" + public}
    assert dkim.verify(message.content, dnsfunc=lambda name, timeout=5: records.get(name))
    tampered = message.content.replace(b"Uitnodiging", b"Uitnodiginq", 1)
    assert not dkim.verify(tampered, dnsfunc=lambda name, timeout=5: records.get(name))


def test_a_dkim_key_file_that_is_missing_is_named_at_start(tmp_path):
    from panelsite.collector.letters import load_signers

    project = make_project(tmp_path / "p", "https://panel.lindenhaven.nl/",
                           "mail:\n  dkim:\n    selector: panel2026\n    key_file: geen.pem\n")
    with pytest.raises(ValueError, match=r"lindenhaven.yaml: mail.dkim.key_file: .*geen.pem"):
        load_signers(load_sites(project), project)


def test_the_factsheet_mailing_sends_html_and_text_with_each_members_leave_link(tmp_path, monkeypatch, capsys):
    """The demo's published factsheet, through ``mail factsheet``: both parts, one per member, never twice."""
    import shutil

    from .helpers import ROOT

    project = tmp_path / "demo"
    for part in ("municipalities", "content"):
        shutil.copytree(ROOT / part, project / part)
    (project / "themes").symlink_to(ROOT / "themes")
    monkeypatch.setenv("PANELSITE_SECRET", SECRET)
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    storage = open_storage(db, project)
    try:
        _confirmed_members(storage, ["een@example.nl", "twee@example.nl"])
    finally:
        storage.close()
    with smtp_server() as (settings, recorder):
        args = ["--root", str(project), "mail", "factsheet", "lindenhaven", "afval-2026", "--database-url", db,
                "--smtp-host", "127.0.0.1", "--smtp-port", str(settings.port), "--smtp-no-starttls"]
        assert cli.main([*args, "--dry-run"]) == 0 and recorder.messages == []
        assert "2 recipients" in capsys.readouterr().out
        assert cli.main(args) == 0
        assert cli.main(args) == 0  # again: nobody twice
        messages = [parsed(m) for m in recorder.messages]
    assert sorted(str(m["To"]) for m in messages) == ["een@example.nl", "twee@example.nl"]
    leave_links = set()
    for m in messages:
        assert m.get_content_type() == "multipart/alternative"
        text = m.get_body(("plain",)).get_content()
        html = m.get_body(("html",)).get_content()
        assert "Wat u vond van de afvalinzameling in 2026" in text and "<html" in html
        link = str(m["List-Unsubscribe"]).strip("<>")
        assert link.startswith("https://formulieren.lindenhaven.nl/lindenhaven/afmelden/direct?t=")
        assert link in text and link.replace("&", "&amp;") in html  # each member's own, in both parts
        leave_links.add(link)
    assert len(leave_links) == 2


def test_the_factsheet_waits_for_publish_on():
    from panelsite.round.mailings import NotNow, check_time
    from panelsite.surveys import fieldwork

    class Survey:
        id = "ronde"
        publish_on = dt.date(2030, 5, 1)

    with pytest.raises(NotNow, match="embargo until publish_on 2030-05-01"):
        check_time("factsheet", Survey, dt.datetime(2030, 4, 30, 23, 59, tzinfo=fieldwork.DUTCH))
    check_time("factsheet", Survey, dt.datetime(2030, 5, 1, 0, 0, tzinfo=fieldwork.DUTCH))


def _certificate(folder):
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem): the client trusts it via SSL_CERT_FILE."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def test_starttls_and_login_from_the_environment(tmp_path):
    """``mail invitations`` with PANELSITE_SMTP_* against aiosmtpd that requires STARTTLS and AUTH."""
    import os
    import ssl
    import subprocess
    import sys

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from .helpers import ROOT, SMTPRecorder, free_port

    cert, key_file = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key_file)
    logins = []

    def authenticator(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"panel", b"geheim-wachtwoord")
        logins.append((mechanism, session.ssl is not None, ok))
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself

    recorder, port = SMTPRecorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            auth_required=True, authenticator=authenticator)
    controller.start()
    try:
        project = make_project(tmp_path / "p", "https://panel.lindenhaven.nl/")
        db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        storage = open_storage(db, project)
        try:
            _confirmed_members(storage, ["tls@example.nl"])
        finally:
            storage.close()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PANELSITE_SECRET": SECRET, "SSL_CERT_FILE": str(cert),
               "PANELSITE_SMTP_HOST": "127.0.0.1", "PANELSITE_SMTP_PORT": str(port), "PANELSITE_SMTP_USER": "panel",
               "PANELSITE_SMTP_PASSWORD": "fout", "PANELSITE_DATABASE_URL": db, "PANELSITE_PUBLIC_URL": "https://c.example/"}
        command = [sys.executable, "-m", "panelsite", "--root", str(project), "mail", "invitations", "lindenhaven",
                   "proef-2026"]
        refused = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 1 and "refused the login of panel" in refused.stderr
        assert "fout" not in refused.stderr  # never the password
        assert recorder.messages == []
        env["PANELSITE_SMTP_PASSWORD"] = "geheim-wachtwoord"
        sent = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert sent.returncode == 0, sent.stderr
    finally:
        controller.stop()
    [message] = recorder.messages
    assert message.rcpt_tos == ["tls@example.nl"]
    assert logins[-1][1:] == (True, True)  # the login came after STARTTLS, and held
