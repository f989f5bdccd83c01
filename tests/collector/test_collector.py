"""The collector over real HTTP on loopback, against SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
import uuid

import httpx
import pytest

from panelsite.collector import retention
from panelsite.collector.export import neutralise

from .conftest import ORIGIN, SITE

SIGNUP = {"naam": "Anna de Vries", "email": "anna@example.nl", "geboortejaar": "1980", "geslacht": "vrouw",
          "wijk": "Centrum", "toestemming": "ja"}
ANSWERS = {"q1": "1", "q2": "4", "q3": "8", "q4": ["1", "3"], "q5": "12,5", "q6": "Prima geregeld"}


def key() -> str:
    return str(uuid.uuid4())


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def confirm_from_mail(c) -> httpx.Response:
    body = c.mails()[-1].read_text()
    link = re.search(r"(http://\S+/bevestigen\?t=\S+)", body).group(1)
    page = httpx.get(link)
    assert page.status_code == 200 and "Bevestig uw aanmelding" in page.text
    token = re.search(r'name="t" value="([^"]+)"', page.text).group(1)
    return c.client.post("/lindenhaven/bevestigen", data={"t": token})


def leave_link(mail) -> str:
    return re.search(r"(http://\S+/afmelden/bevestigen\?t=\S+)", mail.read_text()).group(1)


def leave_via_mail(c, email: str, reason: str | None = None) -> httpx.Response:
    """Ask to leave, open the link in the e-mail and press the button: the way a resident leaves."""
    data = {"email": email, "_key": key(), **({"reden": reason} if reason else {})}
    before = set(c.mails())
    r = c.post("afmelden", data)
    assert r.status_code == 303 and r.headers["location"] == SITE + "bedankt/afmelden/"
    new = [m for m in c.mails() if m not in before]  # mails of one second sort by a random name
    assert len(new) == 1
    page = httpx.get(leave_link(new[0]))
    assert page.status_code == 200 and "Bevestig uw afmelding" in page.text and "Ja, meld mij af" in page.text
    token = re.search(r'name="t" value="([^"]+)"', page.text).group(1)
    return c.client.post("/lindenhaven/afmelden/bevestigen", data={"t": token})


def test_healthz(collector):
    r = collector.client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_signup_redirects_to_thanks_and_mails_a_link_that_confirms(collector):
    r = collector.post("aanmelden", {**SIGNUP, "_key": key()})
    assert r.status_code == 303
    assert r.headers["location"] == SITE + "bedankt/aanmelden/"
    assert len(collector.mails()) == 1
    assert "anna@example.nl" in collector.mails()[0].read_text()
    assert rows(collector.state.sites["lindenhaven"] and _export(collector, "members")) == []  # not confirmed yet
    r = confirm_from_mail(collector)
    assert r.status_code == 303 and r.headers["location"] == SITE + "bedankt/bevestigd/"
    members = rows(_export(collector, "members"))
    assert len(members) == 1
    assert members[0]["leeftijd"] == "35-49" and members[0]["geslacht"] == "vrouw" and members[0]["wijk"] == "Centrum"
    assert "email" not in members[0] and "naam" not in members[0] and members[0]["left"] == ""


def test_expired_or_forged_confirmation_goes_to_the_expired_page(collector):
    r = collector.client.post("/lindenhaven/bevestigen", data={"t": "forged.token"})
    assert r.status_code == 303 and r.headers["location"] == SITE + "bedankt/link-verlopen/"
    page = collector.client.get("/lindenhaven/bevestigen", params={"t": "forged"})
    assert "Deze link werkt niet meer" in page.text


def test_signup_again_with_same_email_sends_no_second_member(collector):
    collector.post("aanmelden", {**SIGNUP, "_key": key()})
    confirm_from_mail(collector)
    r = collector.post("aanmelden", {**SIGNUP, "_key": key()})
    assert r.status_code == 303  # same answer: nobody learns whether the address is known
    assert len(collector.mails()) == 1
    assert len(rows(_export(collector, "members"))) == 1


@pytest.mark.parametrize(
    "form, data, field, message",
    [
        ("aanmelden", {**SIGNUP, "naam": " "}, "naam", "Vul uw naam in"),
        ("aanmelden", {**SIGNUP, "email": "anna.example.nl"}, "email", "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl"),
        ("aanmelden", {**SIGNUP, "geboortejaar": "80"}, "geboortejaar", "Vul uw geboortejaar in met 4 cijfers, zoals 1975"),
        ("aanmelden", {**SIGNUP, "geboortejaar": str(time.localtime().tm_year - 16)}, "geboortejaar", "Controleer uw geboortejaar: u moet 18 jaar of ouder zijn om mee te doen"),
        ("aanmelden", {k: v for k, v in SIGNUP.items() if k != "geslacht"}, "geslacht", "Kies uw geslacht"),
        ("aanmelden", {**SIGNUP, "wijk": "Atlantis"}, "wijk", "Kies de wijk waar u woont"),
        ("aanmelden", {k: v for k, v in SIGNUP.items() if k != "toestemming"}, "toestemming",
         "Geef toestemming om mee te doen, anders kunnen we u niet aanmelden"),
        ("contact", {"naam": "A", "email": "a@b.nl", "bericht": "x" * 5001}, "bericht", "Uw bericht is te lang. Gebruik hoogstens 5000 tekens"),
        ("vragenlijst-proef-2026", {**ANSWERS, "q1": ""}, "q1", "Beantwoord vraag 1"),
        ("vragenlijst-proef-2026", {**ANSWERS, "q3": "11"}, "q3", "Kies bij vraag 2 een van de antwoorden"),
        ("vragenlijst-proef-2026", {**ANSWERS, "q4": []}, "q4", "Beantwoord vraag 3"),
        ("vragenlijst-proef-2026", {**ANSWERS, "q5": "twaalf"}, "q5", "Vul bij vraag 4 een getal in, zoals 12 of 12,5"),
        ("vragenlijst-proef-2026", {**ANSWERS, "q5": ["12", "999"]}, "q5", "Vul bij vraag 4 een getal in of kies 'weet niet', niet allebei"),
        ("vragenlijst-proef-2026", {**ANSWERS, "q6": "x" * 5001}, "q6", "Uw antwoord bij vraag 5 is te lang. Gebruik hoogstens 5000 tekens"),
    ],
)
def test_validation_errors_per_field_type(collector, form, data, field, message):
    r = collector.post(form, {**data, "_key": key()}, json=True)
    assert r.status_code == 422
    assert r.json()["errors"] == {field: message}
    assert collector.storage.count("submissions") == 0


def test_without_javascript_errors_redirect_to_a_page_with_the_input_and_messages(collector):
    r = collector.post("aanmelden", {**SIGNUP, "email": "anna.example.nl", "_key": key()})
    assert r.status_code == 303 and "/lindenhaven/aanmelden/fout/" in r.headers["location"]
    page = httpx.get(r.headers["location"])
    assert page.status_code == 200
    html = page.text.split('<script type="application/json"')[0]  # the definition holds every message
    assert html.count("Vul een geldig e-mailadres in") == 2  # summary and inline
    assert '<a href="#f-email">' in page.text
    assert 'value="anna.example.nl"' in page.text and 'value="Anna de Vries"' in page.text
    assert 'aria-invalid="true"' in page.text and "f-email-error" in page.text
    assert "<title>Fout: " in page.text
    assert collector.storage.count("members") == 0


def test_filtered_question_is_not_required_and_its_answer_is_dropped(collector):
    data = {**ANSWERS, "q1": "2", "q2": "5", "_key": key()}
    assert collector.post("vragenlijst-proef-2026", data, json=True).json()["ok"] is True
    data = {**ANSWERS, "q1": "2", "q2": "", "_key": key()}
    assert collector.post("vragenlijst-proef-2026", data, json=True).json()["ok"] is True
    assert collector.post("vragenlijst-proef-2026", {**ANSWERS, "q2": "", "_key": key()}, json=True).json()["errors"] == {
        "q2": "Beantwoord vraag 1a"}
    exported = rows(_export(collector, "proef-2026"))
    assert [r["q2"] for r in exported] == ["", ""]


def test_honeypot_gets_the_normal_thanks_and_nothing_is_stored(collector):
    r = collector.post("contact", {"naam": "Bot", "email": "bot@spam.nl", "bericht": "Buy", "website": "http://spam"})
    assert r.status_code == 303 and r.headers["location"] == SITE + "bedankt/contact/"
    assert collector.storage.count("messages") == 0


def test_too_fast_is_refused_with_a_message(make_collector):
    c = make_collector(min_seconds=2)
    stamp = c.client.get("/lindenhaven/token").json()["token"]
    data = {"naam": "A", "email": "a@b.nl", "bericht": "Hallo", "_ts": stamp, "_key": key()}
    r = c.post("contact", data, json=True)
    assert r.status_code == 422 and "heel snel verstuurd" in r.json()["errors"]["_form"]
    forged = c.post("contact", {**data, "_ts": stamp[:-3] + "abc"}, json=True)
    assert "verlopen" in forged.json()["errors"]["_form"]
    time.sleep(2.1)
    assert c.post("contact", data, json=True).json()["ok"] is True


def test_rate_limit_refuses_the_client_after_the_limit(make_collector):
    c = make_collector(rate_limit=(3, 600))
    statuses = [c.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "Hoi", "_key": key()}, json=True).status_code
                for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert c.storage.count("messages") == 3


def test_rate_limit_is_shared_between_instances(make_collector):
    """Two collectors on one database count together (PostgreSQL behind a load balancer)."""
    a = make_collector(rate_limit=(2, 600))
    b = make_collector(rate_limit=(2, 600))
    data = {"naam": "A", "email": "a@b.nl", "bericht": "Hoi"}
    assert a.post("contact", {**data, "_key": key()}).status_code == 303
    assert b.post("contact", {**data, "_key": key()}).status_code == 303
    assert a.post("contact", {**data, "_key": key()}).status_code == 429
    assert "Te veel verzoeken" in b.post("contact", {**data, "_key": key()}).text


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Origin": "", "Referer": "https://evil.example/page"}])
def test_foreign_origin_is_refused(collector, headers):
    r = collector.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "Hoi"}, headers=headers)
    assert r.status_code == 403
    assert collector.storage.count("messages") == 0


def test_referer_of_the_site_is_accepted_without_origin(collector):
    r = collector.client.post("/lindenhaven/contact", data={"naam": "A", "email": "a@b.nl", "bericht": "Hoi"},
                              headers={"Origin": "", "Referer": SITE + "contact/"})
    assert r.status_code == 303


def test_preview_origin_is_accepted_and_gets_its_own_thanks_page(make_collector):
    c = make_collector(preview_origins=["http://localhost:8000"])
    r = c.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "Hoi"}, headers={"Origin": "http://localhost:8000"})
    assert r.status_code == 303 and r.headers["location"] == "http://localhost:8000/bedankt/contact/"


def test_oversized_request_is_refused(collector):
    r = collector.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "x" * 70_000})
    assert r.status_code == 413
    assert collector.storage.count("messages") == 0


def test_oversized_request_without_a_length_is_refused_as_it_streams_in(collector):
    def chunks():  # no Content-Length: sent chunked, so only counting the body finds it too large
        yield b"naam=A&email=a%40b.nl&bericht="
        for _ in range(20):
            yield b"x" * 4096

    r = collector.client.post("/lindenhaven/contact", content=chunks(),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "content-length" not in r.request.headers
    assert r.headers["x-content-type-options"] == "nosniff"
    assert collector.storage.count("messages") == 0


def test_posts_to_other_paths_take_the_route_table(collector):
    assert collector.client.post("/lindenhaven/token").status_code == 404  # no form of that name
    assert collector.client.post("/lindenhaven/nergens", data={"a": "b"}).status_code == 404
    assert collector.client.post("/elders/contact", data={"a": "b"}).status_code == 404
    assert collector.client.post("/lindenhaven/contact/", data={"a": "b"}).status_code in (307, 404)


def test_cors_for_the_fetch_path(collector):
    pre = collector.client.options("/lindenhaven/contact", headers={"Access-Control-Request-Method": "POST"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == ORIGIN
    r = collector.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "Hoi"}, json=True)
    assert r.headers["access-control-allow-origin"] == ORIGIN and r.json()["redirect"] == SITE + "bedankt/contact/"
    assert collector.client.get("/lindenhaven/token").headers["access-control-allow-origin"] == ORIGIN


def test_retry_with_the_same_key_stores_once_and_both_succeed(collector):
    data = {**ANSWERS, "_key": key()}
    first = collector.post("vragenlijst-proef-2026", data)
    again = collector.post("vragenlijst-proef-2026", data)
    assert first.status_code == again.status_code == 303
    assert collector.storage.count("responses") == 1


def test_double_click_at_the_same_moment_stores_once(collector):
    data = {"naam": "A", "email": "a@b.nl", "bericht": "Hoi", "_key": key()}
    results = []

    def send():
        results.append(collector.post("contact", data, json=True).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == [200] * 8
    assert collector.storage.count("messages") == 1


def test_export_round_trip_reads_back_with_load_surveys(collector):
    from panelsite.config.municipality import load_municipalities
    from panelsite.surveys.loader import load_surveys

    project = collector.project
    answers = [ANSWERS, {**ANSWERS, "q1": "2", "q2": "", "q4": ["2"], "q5": "", "q6": ""},
               {**ANSWERS, "q1": "9", "q3": "99", "q5": "999", "q6": "=HYPERLINK(\"http://x\")"}]
    answers[1]["q5"] = ["999"]
    background = {"geboortejaar": "1950", "geslacht": "man", "wijk": "Noordveld"}
    for a in answers:
        assert collector.post("vragenlijst-proef-2026", {**a, **background, "_key": key()}, json=True).json()["ok"]
    text = _export(collector, "proef-2026")
    header = text.splitlines()[0]
    assert header == "respondent_id,leeftijd,geslacht,wijk,q1,q2,q3,q4_1,q4_2,q4_3,q5,q6"
    table = rows(text)
    assert table[0]["leeftijd"] == "65+" and table[0]["q4_1"] == "1" and table[0]["q4_2"] == "0" and table[0]["q5"] == "12.5"
    assert table[2]["q6"].startswith("'=HYPERLINK")
    survey_dir = project / "content" / "lindenhaven" / "surveys" / "proef-2026"
    (survey_dir / "responses.csv").write_text(text, encoding="utf-8")
    municipality = load_municipalities(project, ["lindenhaven"])["lindenhaven"]
    survey = load_surveys(project / "content" / "lindenhaven" / "surveys", municipality, project)[0]
    assert survey.has_responses and len(survey.responses) == 3
    assert list(survey.responses["q1"]) == [1, 2, 9]


def test_members_export_has_no_contact_data_and_neutralises_formulas(make_collector):
    extra = """
forms:
  aanmelden:
    consent_version: "2026-01"
    extra_fields:
      - name: vereniging
        type: text
        label: Bij welke vereniging bent u lid?
"""
    c = make_collector(forms_yaml=extra)
    assert c.post("aanmelden", {**SIGNUP, "vereniging": "@SUM(A1)", "_key": key()}).status_code == 303
    confirm_from_mail(c)
    text = _export(c, "members")
    assert text.splitlines()[0] == "member_id,leeftijd,geslacht,wijk,vereniging,joined,left"
    assert rows(text)[0]["vereniging"] == "'@SUM(A1)"
    assert "anna" not in text.lower()


def test_unsubscribe_deletes_contact_data_and_keeps_answers(collector):
    collector.post("aanmelden", {**SIGNUP, "_key": key()})
    confirm_from_mail(collector)
    member_id = rows(_export(collector, "members"))[0]["member_id"]
    invitation = collector.state.tokens.member("lindenhaven", member_id)
    page = collector.client.get("/lindenhaven/vragenlijst-proef-2026", params={"lid": invitation})
    assert "Over u" not in page.text  # a known member is not asked the background questions
    r = collector.post("vragenlijst-proef-2026", {**ANSWERS, "_lid": invitation, "_key": key()}, json=True)
    assert r.json()["ok"]
    assert rows(_export(collector, "proef-2026"))[0]["wijk"] == "Centrum"
    r = leave_via_mail(collector, "ANNA@example.nl", "Te druk")
    assert r.status_code == 200 and "U bent afgemeld" in r.text and "verwijderd" in r.text
    assert collector.storage.count("contacts") == 0
    assert collector.storage.count("leave_reasons") == 1 and collector.storage.count("leave_requests") == 0
    assert collector.storage.count("responses") == 1
    assert rows(_export(collector, "members"))[0]["left"] != ""
    with collector.storage.transaction() as tx:
        assert tx.one("SELECT member_id FROM responses")[0] is None


def test_retention_deletes_old_unconfirmed_signups_messages_and_answers(collector):
    collector.post("aanmelden", {**SIGNUP, "_key": key()})
    collector.post("contact", {"naam": "A", "email": "a@b.nl", "bericht": "Hoi", "_key": key()})
    collector.post("vragenlijst-proef-2026", {**ANSWERS, "_key": key()})
    sites = {"lindenhaven": collector.state.sites["lindenhaven"].municipality}
    now = time.time()
    assert retention.apply(collector.storage, sites, now)["lindenhaven"] == {
        "unconfirmed_contacts": 0, "unconfirmed_members": 0, "left_contacts": 0, "left_members": 0,
        "orphan_contacts": 0, "messages": 0, "leave_reasons": 0, "responses": 0,
        "superseded_responses": 0, "sent_mail": 0, "members_mail": 0, "responded": 0}
    later = now + 200 * 86400  # past 14 days (sign-ups) and 180 days (messages), before 60 months (answers)
    dry = retention.apply(collector.storage, sites, later, dry_run=True)["lindenhaven"]
    assert dry["unconfirmed_members"] == 1 and dry["messages"] == 1 and dry["responses"] == 0
    assert dry["sent_mail"] == 2  # the sign-up confirmation and the contact message, in the outbox
    assert collector.storage.count("members") == 1
    retention.apply(collector.storage, sites, later)
    assert collector.storage.count("members") == collector.storage.count("contacts") == collector.storage.count("messages") == 0
    assert collector.storage.count("outbox") == 0
    assert collector.storage.count("responses") == 1


def test_http_export_needs_the_bearer_token(make_collector):
    token = "s3cret-token-of-32-characters-xyz"
    c = make_collector(export_tokens={"lindenhaven": token})
    assert c.client.get("/lindenhaven/export/members").status_code == 401
    assert c.client.get("/lindenhaven/export/members", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = c.client.get("/lindenhaven/export/members", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.text.startswith("member_id,")
    assert c.client.get("/lindenhaven/export/nope", headers={"Authorization": f"Bearer {token}"}).status_code == 404


def test_unknown_municipality_or_form_is_404(collector):
    assert collector.post("nope", {}).status_code == 404
    assert collector.client.post("/elders/contact", data={}).status_code == 404


def test_logs_hold_no_personal_data(collector, caplog):
    caplog.set_level("INFO", logger="panelsite.collector")
    collector.post("aanmelden", {**SIGNUP, "_key": key()})
    collector.post("aanmelden", {**SIGNUP, "email": "bad", "_key": key()}, json=True)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert '"event": "stored"' in text and '"fields": ["email"]' in text
    assert "anna" not in text.lower() and "127.0.0.1" not in text


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+31 6", "'+31 6"), ("-x", "'-x"), ("@a", "'@a"),
                                             (-3, "-3"), (12.5, "12.5"), ("gewoon", "gewoon"), (None, "")])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def _export(c, what: str) -> str:
    from panelsite.collector.export import export_csv

    return export_csv(c.storage, c.state.sites["lindenhaven"], what)
