"""Links come only from configuration (issue 17, item 5): a request's Host header never makes
a link, and the collector does not start without a public URL for every municipality."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from panelsite.cli import main
from panelsite.collector.app import create_app

from .helpers import SECRET, free_port, make_project, serve_app
from .test_collector import SIGNUP

SITE = "https://panel.lindenhaven.nl/"
ORIGIN = "https://panel.lindenhaven.nl"
PUBLIC = "https://formulieren.lindenhaven.nl/"


def test_without_a_public_url_the_collector_does_not_start(tmp_path):
    project = make_project(tmp_path / "project", SITE)  # its municipality file has no collector.url
    with pytest.raises(ValueError) as refused:
        create_app(project, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", secret=SECRET, mail_dir=tmp_path / "m")
    message = str(refused.value)
    assert message.startswith("municipalities/lindenhaven.yaml: collector.url: ")
    assert "--public-url" in message and "Host" in message


def test_the_collect_command_says_which_municipality_has_no_public_url(tmp_path, monkeypatch, capsys):
    project = make_project(tmp_path / "project", SITE)
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: pytest.fail("started without a public URL"))
    monkeypatch.setattr("uvicorn.Server.run", lambda *a, **k: pytest.fail("started without a public URL"))
    monkeypatch.setenv("PANELSITE_SECRET", SECRET)
    monkeypatch.delenv("PANELSITE_PUBLIC_URL", raising=False)
    code = main(["--root", str(project), "collect", "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: municipalities/lindenhaven.yaml: collector.url: ") and err.count("\n") == 1


@pytest.mark.parametrize("configured", ["collector.url", "--public-url"])
def test_a_host_header_never_makes_a_link(tmp_path, configured):
    """The attack of the report: Host: evil.example on a sign-up for someone else's address."""
    collector_yaml = f"\ncollector:\n  url: {PUBLIC}\n" if configured == "collector.url" else ""
    project = make_project(tmp_path / "project", SITE, collector_yaml)
    mail_dir = tmp_path / "mail"
    app = create_app(project, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", secret=SECRET, mail_dir=mail_dir,
                     min_seconds=0, public_url=PUBLIC if configured == "--public-url" else None)
    port = free_port()
    with serve_app(app, port) as url:
        client = httpx.Client(base_url=url, headers={"Origin": ORIGIN, "Host": "evil.example"}, follow_redirects=False)
        r = client.post("/lindenhaven/aanmelden", data={**SIGNUP, "_key": str(uuid.uuid4())})
        assert r.status_code == 303 and r.headers["location"] == SITE + "bedankt/aanmelden/"
        mail = sorted(mail_dir.glob("*.eml"))[-1].read_text()
        links = re.findall(r"https?://\S+", mail)
        assert links and all(link.startswith(PUBLIC + "lindenhaven/bevestigen?t=") for link in links)
        # the collector's own pages: the form's action, the error page and the confirmation button
        page = client.get("/lindenhaven/contact").text
        assert f'action="{PUBLIC}lindenhaven/contact"' in page and "evil.example" not in page
        invalid = client.post("/lindenhaven/contact", data={"naam": "A", "_key": str(uuid.uuid4())})
        assert invalid.headers["location"].startswith(PUBLIC + "lindenhaven/contact/fout/")
        token = links[0].split("?t=", 1)[1]
        confirm = client.get("/lindenhaven/bevestigen", params={"t": token}).text
        assert f'action="{PUBLIC}lindenhaven/bevestigen"' in confirm and "evil.example" not in confirm
