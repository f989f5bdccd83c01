"""The composition page and the response table, rendered with the demo municipality's theme."""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from panelsite.panel import family as panel
from panelsite.config.municipality import load_municipalities
from panelsite.errors import DataError
from panelsite.engine.family import SiteInputs
from panelsite.engine.site import Site

from .conftest import rows

ROOT = Path(__file__).resolve().parents[2]
PAGE = "over-het-panel/samenstelling/index.html"


@pytest.fixture
def lindenhaven():
    return load_municipalities(ROOT, ["lindenhaven"])["lindenhaven"]


def build(m, tmp_path, register_text: str | None, surveys=()) -> Site:
    if register_text is not None:
        file = tmp_path / "content" / "lindenhaven" / "panel" / "members.csv"
        file.parent.mkdir(parents=True)
        file.write_text("member_id,leeftijd,geslacht,wijk,joined,left\n" + register_text, encoding="utf-8")
    inputs = SiteInputs(m, results=SimpleNamespace(published=list(surveys)))
    panel.load(SimpleNamespace(root=tmp_path, cache_folder=None), inputs)
    site = Site(ROOT, inputs, m.base_url, None, dt.date(2026, 4, 1))
    panel.prepare(site)
    panel.add_outputs(site)
    return site


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


REGISTER = rows(
    (20, "18-34,man,Centrum,2025-10-01,"), (15, "65+,vrouw,Lindenhof,2025-10-01,"),
    (5, "65+,vrouw,Noordveld,2026-01-05,"), (2, "50-64,man,Centrum,2025-10-01,2026-03-31"),
)


def test_the_composition_page(lindenhaven, tmp_path):
    site = build(lindenhaven, tmp_path, REGISTER)
    (output,) = [o for o in site.outputs if o.path == PAGE]
    html = output.render().decode()
    text = text_of(html)
    assert "Op 31 maart 2026 had Lindenhaven Spreekt 40 leden." in text
    regions = re.findall(r'<div class="table-wrap" role="region" tabindex="0" aria-labelledby="([^"]+)">', html)
    assert html.count('class="table-wrap"') == len(regions) == 4  # three variables and the growth
    assert all(f'<caption id="{r}"' in html or f'id="{r}">' in html for r in regions)
    # leeftijd: 20 / 40 = 50% against 9.800 / 37.500 = 26,1%; 35-49 and 50-64 have nobody (hidden, empty)
    assert "18-34 20 50,0% 26,1% +23,9" in text
    assert "35-49 te weinig leden 23,2% –" in text
    assert "65+ 20 50,0% 24,3% +25,7" in text
    # wijk: Noordveld (5) is hidden; the empty Havenkwartier and Buitengebied do not protect it (40 − 20 − 15),
    # so Lindenhof, the smallest group shown, is hidden too
    assert "Noordveld te weinig leden" in text and "Havenkwartier te weinig leden" in text
    assert "Lindenhof te weinig leden" in text and "Lindenhof 15" not in text
    assert "Centrum 20 50,0% 19,7% +30,3" in text
    # every bar says whose it is and carries its value as text
    assert '<dt class="barchart__label">18-34: panel</dt>' in html
    assert '<dt class="barchart__label">18-34: alle inwoners</dt>' in html
    assert "barchart__bar--s2" in html
    # growth: 37 members at the end of 2025, 40 on 31 March 2026 (5 joined, 2 left that day)
    assert "4e kwartaal 2025 31 december 2025 37" in text
    assert "1e kwartaal 2026 31 maart 2026 40" in text
    assert "Basisregistratie Personen (BRP), inwoners van 18 jaar en ouder, 1 januari 2026" in text
    assert site.prepared.panel_composition == "over-het-panel/samenstelling/"
    assert site.prepared.page_keys["over-het-panel/"] == (True,)
    assert not any(n.path.startswith("over-het-panel/samenstelling") for n in site.navigation)


def test_no_register_no_page_no_error(lindenhaven, tmp_path):
    site = build(lindenhaven, tmp_path, None)
    assert not [o for o in site.outputs if o.path == PAGE]
    assert site.prepared.panel_composition is None
    assert site.prepared.response_by_group is None


def test_a_bad_register_stops_the_load(lindenhaven, tmp_path):
    with pytest.raises(DataError) as info:
        build(lindenhaven, tmp_path, "m1,18-34,man,Centrum,2025-10-01,\nm2,12-17,man,Centrum,2025-10-01,\n")
    assert [str(p) for p in info.value.problems] == [
        'content/lindenhaven/panel/members.csv: row 3: leeftijd: "12-17" is not a category of leeftijd in the '
        "population figures (expected one of 18-34, 35-49, 50-64, 65+, or empty when unknown)"]


def test_response_table_for_the_method_section(lindenhaven, tmp_path):
    responses = pd.DataFrame({
        "leeftijd": pd.Categorical(["18-34"] * 12 + ["65+"] * 15, categories=["18-34", "35-49", "50-64", "65+"]),
        "wijk": pd.Categorical(["Centrum"] * 27, categories=list(lindenhaven.population.variables.wijk)),
    })
    survey = SimpleNamespace(id="afval-2026", has_responses=True, fieldwork_start=dt.date(2026, 1, 1),
                             responses=responses)
    site = build(lindenhaven, tmp_path, REGISTER, [survey])
    html = str(site.prepared.response_by_group("afval-2026"))
    text = text_of(html)
    # a table too wide for a phone scrolls in a region of its own, named by its caption
    assert ('<div class="table-wrap" role="region" tabindex="0" aria-labelledby="tabel-respons-leeftijd"><table>'
            '<caption id="tabel-respons-leeftijd">Respons naar leeftijd</caption>') in html
    # invited on 1 January 2026: 20 aged 18-34, 15 aged 65+, 2 aged 50-64 and nobody aged 35-49. 35-49 is
    # empty and protects nothing, so 18-34 (12 took part, the smallest shown) is hidden with 50-64
    assert "35-49 te weinig leden" in text and "50-64 te weinig leden" in text
    assert "18-34 te weinig leden" in text and "18-34 20 12" not in text
    assert "65+ 15 15 100,0%" in text
    # wijk: Lindenhof (15 invited, none took part) is hidden, and Centrum with it, or the total would give it away
    assert "Lindenhof te weinig leden" in text and "Centrum te weinig leden" in text
    assert "Groepen met minder dan 10 uitgenodigde leden of deelnemers tonen we niet." in text
    assert "geslacht" not in html  # not in responses.csv
