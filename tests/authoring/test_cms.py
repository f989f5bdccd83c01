"""Editing in the browser: Decap CMS made from the inputs' schemas, served by ``serve`` with
decap-server writing into the project, in real Chromium; and ``build.py cms`` for production."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import yaml

from panelsite.a11y import check as a11y
from panelsite.authoring import cms
from panelsite.cli import main
from panelsite.factsheets.source import STATS, STATUSES

from .conftest import REPO
from .test_serve import free_port, get
from .test_serve_previews import start_serve, stop, wait_for

FACTSHEET = Path("content/lindenhaven/surveys/afval-2026/factsheet.md")


def fields_by_name(fields: list[dict]) -> dict[str, dict]:
    return {f["name"]: f for f in fields}


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def test_the_collections_cover_pages_factsheets_measures_surveys_and_municipalities():
    config = cms.config(REPO, cms.local_backend("http://127.0.0.1:1/api/v1"))
    names = [c["name"] for c in config["collections"]]
    assert names == ["pages-shared", "pages-brugwaard", "pages-heidebeek", "pages-lindenhaven",
                     "factsheets", "measures", "surveys", "municipalities"]
    assert collection(config, "pages-lindenhaven")["folder"] == "content/lindenhaven"
    factsheets = {f["file"] for f in collection(config, "factsheets")["files"]}
    assert factsheets == {p.relative_to(REPO).as_posix() for p in REPO.glob("content/*/surveys/*/factsheet.md")}
    surveys = {f["file"] for f in collection(config, "surveys")["files"]}
    assert surveys == {p.relative_to(REPO).as_posix() for p in REPO.glob("content/*/surveys/*/survey.yaml")}
    labels = {f["label"] for f in collection(config, "municipalities")["files"]}
    assert "Lindenhaven" in labels
    assert config["locale"] == "nl"


def test_the_widgets_come_from_the_schemas():
    config = cms.config(REPO, {})
    sheet = next(f for f in collection(config, "factsheets")["files"] if f["name"] == "lindenhaven-afval-2026")
    fields = fields_by_name(sheet["fields"])
    assert "measures" not in fields and fields["body"]["widget"] == "markdown"
    assert fields["body"]["modes"] == ["raw"]  # rich text would escape the [ of {{ pct("q1", [4, 5]) }}
    highlight = fields_by_name(fields["highlights"]["fields"])
    assert fields["highlights"]["widget"] == "list" and fields["highlights"]["min"] == 1
    assert highlight["stat"]["widget"] == "select" and highlight["stat"]["options"] == list(STATS)
    assert highlight["question"]["required"] is True and highlight["stat"]["required"] is False
    assert "codes" not in highlight  # one code or a list: no Decap widget, kept as written
    measure = next(f for f in collection(config, "measures")["files"] if f["name"] == "lindenhaven-afval-2026")
    measure = fields_by_name(fields_by_name(measure["fields"])["measures"]["fields"])
    assert measure["status"]["options"] == list(STATUSES)
    assert measure["status"]["hint"] == "taken, planned, investigating or not possible."
    municipality = fields_by_name(collection(config, "municipalities")["files"][0]["fields"])
    brand = fields_by_name(municipality["brand"]["fields"])
    assert brand["primary"]["pattern"][0] == "^(?:#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})$"
    retention = fields_by_name(fields_by_name(municipality["privacy"]["fields"])["retention"]["fields"])
    unconfirmed = retention["unconfirmed_days"]
    assert (unconfirmed["widget"], unconfirmed["value_type"], unconfirmed["min"], unconfirmed["max"]) == \
        ("number", "int", 1, 90)
    assert "population" not in municipality and "language" not in municipality  # free keys; a removed key
    # An optional part's keys are not required in the form (Decap would demand them while it is absent).
    dkim = fields_by_name(fields_by_name(municipality["mail"]["fields"])["dkim"]["fields"])
    assert municipality["mail"]["required"] is False and dkim["selector"]["required"] is False
    assert dkim["selector"]["hint"].startswith("Required when this part is given.")
    survey = fields_by_name(collection(config, "surveys")["files"][0]["fields"])
    assert fields_by_name(survey["fieldwork"]["fields"])["start"]["widget"] == "datetime"
    page = fields_by_name(collection(config, "pages-shared")["fields"])
    assert page["form"]["options"] == ["aanmelden", "afmelden", "contact"] and page["toc"]["widget"] == "boolean"


def test_the_config_file_is_plain_yaml_without_aliases():
    text = cms.config_yaml(REPO, cms.local_backend("http://127.0.0.1:1/api/v1"))
    assert "&id" not in text and "*id" not in text
    assert yaml.safe_load(text) == cms.config(REPO, cms.local_backend("http://127.0.0.1:1/api/v1"))


def test_cms_command_writes_a_production_admin_folder(tmp_path, capsys):
    out = tmp_path / "admin"
    assert main(["cms", "--root", str(REPO), "--out", str(out), "--backend", "github",
                 "--repo", "gemeente-lindenhaven/panel", "--branch", "content",
                 "--auth-url", "https://cms-auth.lindenhaven.nl/"]) == 0
    config = yaml.safe_load((out / "config.yml").read_text(encoding="utf-8"))
    assert config["backend"] == {"name": "github", "repo": "gemeente-lindenhaven/panel", "branch": "content",
                                 "base_url": "https://cms-auth.lindenhaven.nl"}
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<script src="decap-cms.js"></script>' in page and "http" not in page.split("<body>")[1]
    assert (out / "decap-cms.js").read_bytes() == (cms.decap_dist() / "decap-cms.js").read_bytes()
    assert not list(out.glob("*.map"))
    assert "Wrote Decap CMS (github backend, branch content)" in capsys.readouterr().out
    assert main(["cms", "--root", str(REPO), "--out", str(out), "--backend", "github"]) == 2
    assert "error: --repo: the GitHub backend needs the repository (expected owner/name" in capsys.readouterr().err
    assert main(["cms", "--root", str(REPO), "--out", str(out)]) == 0
    assert yaml.safe_load((out / "config.yml").read_text(encoding="utf-8"))["backend"]["name"] == "git-gateway"


def test_serve_without_the_cms_says_how_to_get_it(small_project):
    process, port = start_serve(small_project, "--no-collector", "--no-cms")
    try:
        wait_for(process, port, "/lindenhaven/")
        status, _, body = get(port, "/_cms/")
        assert status == 503 and "--no-cms" in body
    finally:
        stop(process)


def test_a_taken_cms_port_is_an_error_and_serve_goes_on_without_the_cms(small_project):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        cms_port = taken.getsockname()[1]
        process, port = start_serve(small_project, "--no-collector", "--cms-port", str(cms_port))
        try:
            wait_for(process, port, "/lindenhaven/")
            status, _, _ = get(port, "/_cms/")
            assert status == 503
        finally:
            output = stop(process)
    assert f"error: cannot start the CMS backend (decap-server) on 127.0.0.1:{cms_port} (address already in use)" \
        in output
    assert "CMS at" not in output


def _port_free(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
    except urllib.error.HTTPError:
        return False
    except OSError:
        return True
    return False


# The rebuilt factsheet, not the preview's error page (which quotes the changed lines too).
IS_THE_FACTSHEET = "document.querySelector('h1').textContent.trim() === 'Wat u vond van het afval in 2026'"


def open_entry(page, url: str) -> None:
    """Open an entry as a fresh page: Decap switching entries by the address's #hash alone
    keeps the previous entry's name and shows an empty form."""
    page.goto(url)
    page.reload()


def test_staff_edit_a_factsheet_a_measure_and_settings_in_the_cms_and_see_the_rebuilt_page(small_project):
    from playwright.sync_api import expect, sync_playwright

    cms_port = free_port()
    process, port = start_serve(small_project, "--no-collector", "--cms-port", str(cms_port))
    source = small_project / FACTSHEET
    before = source.read_text(encoding="utf-8")
    body_before = before.split("\n---\n", 1)[1]
    try:
        wait_for(process, port, "/lindenhaven/")
        site = f"http://127.0.0.1:{port}"
        outside: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=a11y.CHROMIUM, args=a11y.CHROMIUM_ARGS)
            factsheet = browser.new_page()
            factsheet.goto(f"{site}/lindenhaven/resultaten/afval-2026/factsheet/", timeout=60_000)
            assert factsheet.locator("h1").inner_text() == "Wat u vond van de afvalinzameling in 2026"
            page = browser.new_page()
            page.on("request", lambda r: outside.append(r.url)
                    if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
            page.goto(f"{site}/_cms/", timeout=60_000)
            page.get_by_role("button", name="Inloggen").click()
            expect(page.get_by_text("Factsheets").first).to_be_visible(timeout=60_000)

            page.goto(f"{site}/_cms/#/collections/factsheets/entries/lindenhaven-afval-2026")
            title = page.get_by_label("Title (optioneel)")
            expect(title).to_have_value("Wat u vond van de afvalinzameling in 2026", timeout=60_000)
            title.fill("Wat u vond van het afval in 2026")
            text = page.locator("[role=textbox][aria-multiline=true]")  # the Markdown, as written
            text.click()
            page.keyboard.press("Control+End")
            page.keyboard.insert_text("Dank voor het meedoen.")  # one input event: Slate moves the caret between keys
            expect(text).to_contain_text("Dank voor het meedoen.")
            page.get_by_role("button", name="Publiceer", exact=True).click()
            page.get_by_text("Publiceer nu").click()
            expect(page.get_by_text("Gepubliceerd").first).to_be_visible(timeout=60_000)

            # The open factsheet reloads by itself once the saved file is rebuilt.
            factsheet.wait_for_function(IS_THE_FACTSHEET, timeout=60_000)
            assert "Dank voor het meedoen." in factsheet.locator("main").inner_text(), source.read_text()
            assert "{{" not in factsheet.locator("main").inner_text()  # the key figures are filled in

            open_entry(page, f"{site}/_cms/#/collections/measures/entries/lindenhaven-afval-2026")
            expect(page.get_by_text("3 measures")).to_be_visible(timeout=60_000)
            # A collapsed measure shows its title; the first button of the bar above it opens it.
            summary = page.get_by_text("Textielcontainer bij elke supermarkt", exact=True)
            summary.locator("xpath=preceding-sibling::div[1]//button").first.click()
            measure_title = page.get_by_label("Title", exact=True).nth(2)
            expect(measure_title).to_have_value("Textielcontainer bij elke supermarkt")
            measure_title.fill("Textielcontainer bij elke supermarkt en de milieustraat")
            page.get_by_role("button", name="Publiceer", exact=True).click()
            page.get_by_text("Publiceer nu").click()
            expect(page.get_by_text("Gepubliceerd").first).to_be_visible(timeout=60_000)
            factsheet.wait_for_function(f"{IS_THE_FACTSHEET} && document.querySelector('main').textContent"
                                        ".includes('Textielcontainer bij elke supermarkt en de milieustraat')",
                                        timeout=60_000)

            # Municipality settings: a YAML file of its own, saved whole by Decap.
            open_entry(page, f"{site}/_cms/#/collections/municipalities/entries/lindenhaven")
            panel_name = page.get_by_label("Panel name", exact=True)
            expect(panel_name).to_have_value("Lindenhaven Spreekt", timeout=60_000)
            panel_name.fill("Lindenhaven Praat Mee")
            page.get_by_role("button", name="Publiceer", exact=True).click()
            page.get_by_text("Publiceer nu").click()
            expect(page.get_by_text("Gepubliceerd").first).to_be_visible(timeout=60_000)
            factsheet.wait_for_function(f"{IS_THE_FACTSHEET} && document.body.textContent.includes("
                                        "'Lindenhaven Praat Mee')", timeout=60_000)
            browser.close()
        assert outside == []  # Decap's own files came from node_modules, through the preview
        after = source.read_text(encoding="utf-8")
        # The text is as written plus the sentence typed: Jinja's {{ pct("q1", [4, 5]) }} not escaped.
        assert after.split("\n---\n", 1)[1] == body_before + "Dank voor het meedoen.\n"
        front = yaml.safe_load(after.split("---\n", 2)[1])
        assert front["highlights"][0]["codes"] == [4, 5]  # a key without a widget is kept
        assert str(front["follow_up"][0]["date"]) == "2026-10-05"
        assert front["measures"][2]["title"] == "Textielcontainer bij elke supermarkt en de milieustraat"
        settings = yaml.safe_load((small_project / "municipalities" / "lindenhaven.yaml").read_text(encoding="utf-8"))
        assert settings["panel_name"] == "Lindenhaven Praat Mee"
        assert settings["population"]["wijk"]  # the free-key figures, which have no field, are kept
    finally:
        output = stop(process)
    assert "CMS at http://127.0.0.1:" in output
    assert re.search(r"Rebuilt after a change to content/lindenhaven/surveys/afval-2026/factsheet\.md", output)
    assert _port_free(cms_port), "decap-server still runs after serve stopped"
