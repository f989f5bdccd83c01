"""Consent and secrets (issue 17, item 10): the consent version is the server's, export tokens
are long, one per municipality and throttled, and the minimum fill time rests on the server's
signed timestamp for every form, with JavaScript or without."""

from __future__ import annotations

import json
import re
import time
import uuid

import httpx
import pytest

from panelsite.cli import main

from .helpers import SECRET, make_project
from .test_collector import SIGNUP, confirm_from_mail

SITE = "https://panel.lindenhaven.nl/"
TOKEN = "Yq3v9Jx2LmW8pR4tZk7NbC1dF6gH0sAe"  # 32 characters
OTHER = "Pz5Wc8Tn2Hq7Lb4Xv9Md1Rf6Kj3Gs0Ya"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def key() -> str:
    return str(uuid.uuid4())


# --- consent ---------------------------------------------------------------------------------


def test_the_consent_version_stored_is_the_servers(make_collector):
    c = make_collector()
    assert c.post("aanmelden", {**SIGNUP, "_versie": "ik-stemde-nergens-mee-in", "_key": key()}).status_code == 303
    confirm_from_mail(c)
    with c.storage.reading() as tx:
        assert tx.all("SELECT consent_version FROM members") == [("1",)]  # the built-in form's version


# --- export tokens ---------------------------------------------------------------------------


def test_an_export_token_is_one_per_municipality(make_collector):
    c = make_collector(export_tokens={"lindenhaven": TOKEN})
    assert c.client.get("/lindenhaven/export/members", headers=BEARER).status_code == 200
    other = c.client.get("/lindenhaven/export/members", headers={"Authorization": f"Bearer {OTHER}"})
    assert other.status_code == 401


@pytest.mark.parametrize("tokens, message", [
    ({"lindenhaven": "kort-maar-geheim"}, "PANELSITE_EXPORT_TOKEN_LINDENHAVEN: is 16 characters"),
    ({"lindenhaven": "a" * 40}, "PANELSITE_EXPORT_TOKEN_LINDENHAVEN: repeats"),
    ({"nergens": TOKEN}, "PANELSITE_EXPORT_TOKEN_NERGENS: no municipality"),
])
def test_a_weak_or_stray_export_token_stops_the_start(tmp_path, tokens, message):
    from panelsite.collector.app import create_app

    project = make_project(tmp_path / "project", SITE)
    with pytest.raises(ValueError) as refused:
        create_app(project, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", secret=SECRET, mail_dir=tmp_path / "m",
                   public_url="http://127.0.0.1:9/", export_tokens=tokens)
    assert message in str(refused.value)


def test_the_collect_command_reads_one_token_per_municipality(tmp_path, monkeypatch, capsys):
    project = make_project(tmp_path / "project", SITE)
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("started"))
    monkeypatch.setattr("uvicorn.Server.run", lambda *a, **k: pytest.fail("started"))
    monkeypatch.setenv("PANELSITE_SECRET", SECRET)
    args = ["--root", str(project), "collect", "--public-url", "http://127.0.0.1:9/",
            "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"]
    monkeypatch.setenv("PANELSITE_EXPORT_TOKEN", "s3cret-token")  # one token for every municipality: no more
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: PANELSITE_EXPORT_TOKEN: ") and "PANELSITE_EXPORT_TOKEN_LINDENHAVEN" in err
    monkeypatch.delenv("PANELSITE_EXPORT_TOKEN")
    monkeypatch.setenv("PANELSITE_EXPORT_TOKEN_LINDENHAVEN", "s3cret-token")
    assert main(args) == 2
    assert "at least 32" in capsys.readouterr().err


def test_wrong_export_tokens_are_throttled_and_logged(make_collector, caplog):
    caplog.set_level("INFO", logger="panelsite.collector")
    c = make_collector(export_tokens={"lindenhaven": TOKEN})
    wrong = [c.client.get("/lindenhaven/export/members", headers={"Authorization": f"Bearer {OTHER[:-1]}{n}"})
             for n in range(10)]
    assert [r.status_code for r in wrong] == [401] * 5 + [429] * 5
    # over the limit even the right token waits: guessing on cannot find it
    assert c.client.get("/lindenhaven/export/members", headers=BEARER).status_code == 429
    lines = [json.loads(r.getMessage()) for r in caplog.records if "export_refused" in r.getMessage()]
    assert len(lines) == 11 and {line["status"] for line in lines} == {401, 429}
    assert OTHER[:-1] not in caplog.text and TOKEN not in caplog.text


# --- minimum fill time -----------------------------------------------------------------------


def _hidden(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(_[a-z]+)" value="([^"]*)"', html))


def test_a_post_without_the_servers_timestamp_is_not_stored_at_once(make_collector):
    """A form posted without JavaScript carries no timestamp: it comes back once, with what was
    typed and a timestamp of the server, and the second post is stored."""
    c = make_collector(min_seconds=2)
    message = {"naam": "Anna", "email": "anna@example.nl", "bericht": "Hallo"}
    r = c.post("contact", {**message, "_key": key()})
    assert c.storage.count("messages") == 0
    assert r.status_code == 303 and "/lindenhaven/contact/fout/" in r.headers["location"]
    page = httpx.get(r.headers["location"]).text
    assert "Controleer uw antwoorden en verstuur het formulier opnieuw" in page and "Hallo</textarea>" in page
    time.sleep(1.1)  # the resident reads the message and presses the button again
    again = c.post("contact", {**message, **_hidden(page)})
    assert again.status_code == 303 and again.headers["location"] == SITE + "bedankt/contact/"
    assert c.storage.count("messages") == 1


def test_fetch_without_a_timestamp_gets_one_with_the_answer(make_collector):
    c = make_collector(min_seconds=2)
    message = {"naam": "Anna", "email": "anna@example.nl", "bericht": "Hallo", "_key": key()}
    r = c.post("contact", message, json=True)
    assert r.status_code == 422 and "_form" in r.json()["errors"]
    time.sleep(1.1)
    again = c.post("contact", {**message, "_ts": r.json()["token"]}, json=True)
    assert again.status_code == 200 and again.json()["ok"]
    assert c.storage.count("messages") == 1


def test_a_bot_posting_at_once_with_a_fresh_timestamp_is_refused(make_collector):
    c = make_collector(min_seconds=2)
    stamp = c.client.get("/lindenhaven/token").json()["token"]
    r = c.post("contact", {"naam": "Bot", "email": "bot@example.nl", "bericht": "Koop", "_ts": stamp, "_key": key()},
               json=True)
    assert r.status_code == 422 and "heel snel" in r.json()["errors"]["_form"]
    assert c.storage.count("messages") == 0


def test_correcting_one_field_after_an_error_page_is_not_too_fast(make_collector):
    c = make_collector(min_seconds=2)
    form = c.client.get("/lindenhaven/afmelden").text  # the form as the collector serves it, with its timestamp
    time.sleep(2.1)  # the resident reads the form and types an address
    r = c.post("afmelden", {"email": "anna.example.nl", **_hidden(form)})
    assert r.status_code == 303 and "/fout/" in r.headers["location"]
    page = httpx.get(r.headers["location"]).text
    assert "Vul een geldig e-mailadres in" in page
    fixed = c.post("afmelden", {"email": "anna@example.nl", **_hidden(page)})  # at once: one field to correct
    assert fixed.status_code == 303 and fixed.headers["location"] == SITE + "bedankt/afmelden/"
