"""In the local preview the collector sends residents back to the preview, not to the public site."""

import re

from panelsite.collector.app import create_app

from .helpers import SECRET, free_port, make_project, serve_app

PREVIEW = "http://127.0.0.1:8000"
SIGNUP = {"naam": "Anna de Vries", "email": "anna@example.nl", "geboortejaar": "1980", "geslacht": "vrouw",
          "wijk": "Centrum", "toestemming": "ja"}


def test_preview_redirects_and_links_point_at_the_preview(tmp_path):
    project = make_project(tmp_path / "project", "https://panel.lindenhaven.nl/")
    mail_dir = tmp_path / "mail"
    port = free_port()
    app = create_app(project, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", secret=SECRET, mail_dir=mail_dir,
                     min_seconds=0, preview_origins=[PREVIEW], preview_site_url=PREVIEW + "/{slug}/",
                     public_url=f"http://127.0.0.1:{port}/")
    import httpx

    with serve_app(app, port) as url:
        client = httpx.Client(base_url=url, headers={"Origin": PREVIEW}, follow_redirects=False)
        r = client.post("/lindenhaven/aanmelden", data={**SIGNUP, "_key": "preview-key-0001"})
        assert r.status_code == 303
        assert r.headers["location"] == PREVIEW + "/lindenhaven/bedankt/aanmelden/"
        mail = sorted(mail_dir.glob("*.eml"))[-1].read_text()
        link = re.search(r"(http://\S+/bevestigen\?t=\S+)", mail).group(1)
        assert link.startswith(f"http://127.0.0.1:{port}/lindenhaven/bevestigen?t=")
        token = link.split("t=", 1)[1]
        r = client.post("/lindenhaven/bevestigen", data={"t": token})
        assert r.headers["location"] == PREVIEW + "/lindenhaven/bedankt/bevestigd/"
        # an invalid post without JavaScript: the error page in house style leads back to the preview
        r = client.post("/lindenhaven/aanmelden", data={"naam": "Anna", "_key": "preview-key-0002"})
        assert r.status_code == 303
        page = client.get(r.headers["location"]).text
        # the site's own menu, pointing at the preview, with no item marked as the current page
        menu = re.search(r'<ul class="container main-nav__list">(.*?)</ul>', page, re.S).group(1)
        assert re.findall(r'<a href="([^"]*)">([^<]*)</a>', menu) == [
            (f"{PREVIEW}/lindenhaven/", "Home"), (f"{PREVIEW}/lindenhaven/over-het-panel/", "Over het panel"),
            (f"{PREVIEW}/lindenhaven/resultaten/", "Resultaten"),
            (f"{PREVIEW}/lindenhaven/wat-doen-we-ermee/", "Wat doen we ermee?"),
            (f"{PREVIEW}/lindenhaven/doe-mee/", "Doe mee"), (f"{PREVIEW}/lindenhaven/contact/", "Contact"),
            (f"{PREVIEW}/lindenhaven/zoeken/", "Zoeken")]
        assert "aria-current" not in menu
        assert f'href="{PREVIEW}/lindenhaven/assets/css/site.css' in page
