"""The open-data catalogue (DCAT-AP-NL 3.0) and each question's figures beside its chart.

The catalogue is parsed with rdflib, both serialisations, and validated with pyshacl against
dcat-ap-nl-3.0-shapes.ttl (written from the specification; its header names the sources)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import rdflib
import rdflib.compare
import yaml
from pyshacl import validate
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from panelsite.results import catalogue

REPO = Path(__file__).resolve().parents[2]
SHAPES = Path(__file__).with_name("dcat-ap-nl-3.0-shapes.ttl")
SLUGS = ["lindenhaven", "heidebeek", "brugwaard"]


def graphs(site: Path) -> tuple[rdflib.Graph, rdflib.Graph]:
    jsonld = rdflib.Graph().parse(site / "open-data" / "catalogus.jsonld", format="json-ld")
    rdfxml = rdflib.Graph().parse(site / "open-data" / "catalogus.rdf", format="xml")
    return jsonld, rdfxml


def conformance(graph: rdflib.Graph) -> tuple[bool, str]:
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _report, text = validate(graph, shacl_graph=shapes, allow_warnings=False)
    return conforms, text


def published(slug: str, build_date: str = "2026-11-28") -> dict[str, dict]:
    found = {}
    for folder in sorted((REPO / "content" / slug / "surveys").iterdir()):
        spec = yaml.safe_load((folder / "survey.yaml").read_text(encoding="utf-8"))
        if str(spec["publish_on"]) <= build_date:
            found[folder.name] = spec
    return found


@pytest.mark.parametrize("slug", SLUGS)
def test_catalogue_conforms_to_dcat_ap_nl_in_both_serialisations(built_demo, slug):
    jsonld, rdfxml = graphs(built_demo / slug)
    assert rdflib.compare.isomorphic(jsonld, rdfxml), "the JSON-LD and the RDF/XML say different things"
    conforms, text = conformance(rdfxml)
    assert conforms, text


@pytest.mark.parametrize("slug", SLUGS)
def test_one_dataset_per_published_round_with_its_csv_and_json(built_demo, slug):
    site = built_demo / slug
    graph = graphs(site)[1]
    config = yaml.safe_load((REPO / "municipalities" / f"{slug}.yaml").read_text(encoding="utf-8"))
    base = config["base_url"]
    tooi = rdflib.URIRef("https://identifier.overheid.nl/tooi/id/gemeente/" + config["open_data"]["tooi"])
    rounds = published(slug)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert {str(d) for d in datasets} == {f"{base}resultaten/{sid}/#dataset" for sid in rounds}
    (cat,) = graph.subjects(RDF.type, DCAT.Catalog)
    assert set(graph.objects(cat, DCAT.dataset)) == datasets
    assert graph.value(cat, DCTERMS.publisher) == tooi
    assert str(graph.value(tooi, FOAF.name)) == f"Gemeente {config['name']}"
    licence = catalogue.LICENCES[config["open_data"].get("licence", "cc0")]
    for dataset in datasets:
        sid = str(dataset).split("/resultaten/")[1].split("/")[0]
        spec = rounds[sid]
        assert graph.value(dataset, DCTERMS.publisher) == tooi
        period = graph.value(dataset, DCTERMS.temporal)
        assert (graph.value(period, DCAT.startDate).toPython(), graph.value(period, DCAT.endDate).toPython()) == \
            (spec["fieldwork"]["start"], spec["fieldwork"]["end"])
        theme = graph.value(dataset, DCAT.theme)
        assert str(theme).endswith("/data-theme/" + catalogue.EU_THEMES[spec["theme"]])
        contact = graph.value(dataset, DCAT.contactPoint)
        assert str(graph.value(contact, rdflib.URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"))) == \
            "mailto:" + config["contact"]["email"]
        formats = {}
        for dist in graph.objects(dataset, DCAT.distribution):
            url = str(graph.value(dist, DCAT.downloadURL))
            assert url.startswith(base) and (site / url[len(base):]).is_file(), url
            assert graph.value(dist, DCTERMS.license) == rdflib.URIRef(licence)
            formats[str(graph.value(dist, DCTERMS.format)).rsplit("/", 1)[1]] = url
        assert formats == {"CSV": f"{base}resultaten/{sid}/data.csv", "JSON": f"{base}resultaten/{sid}/data.json"}


def test_rounds_under_embargo_are_not_in_the_catalogue(built_demo):
    text = (built_demo / "heidebeek" / "open-data" / "catalogus.rdf").read_text(encoding="utf-8")
    assert "eenzaamheid-2026" not in text  # publish_on 2027-01-15, after the demo's build date
    assert "veiligheid-2026" in text


def test_the_shapes_catch_what_the_profile_requires(built_demo):
    graph = graphs(built_demo / "lindenhaven")[1]
    (dataset, *_) = sorted(graph.subjects(RDF.type, DCAT.Dataset))
    broken = rdflib.Graph() + graph
    broken.remove((dataset, DCAT.theme, None))
    broken.remove((dataset, DCTERMS.identifier, None))
    conforms, text = conformance(broken)
    assert not conforms and "dcat:theme" in text and "dct:identifier" in text
    # a publisher that is not a municipality's TOOI identifier
    (cat,) = graph.subjects(RDF.type, DCAT.Catalog)
    other = rdflib.Graph() + graph
    tooi = other.value(cat, DCTERMS.publisher)
    for s, p, o in list(other.triples((None, None, tooi))):
        other.remove((s, p, o))
        other.add((s, p, rdflib.URIRef("https://panel.lindenhaven.nl/#gemeente")))
    conforms, text = conformance(other)
    assert not conforms and "tooi" in text


def test_two_builds_write_the_same_catalogue(built_demo, tmp_path):
    import os
    import subprocess
    import sys

    from tests.conftest import DEMO_BUILD_EPOCH

    out = tmp_path / "dist"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(DEMO_BUILD_EPOCH)}
    proc = subprocess.run([sys.executable, "build.py", "--only", "brugwaard", "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name in ("catalogus.jsonld", "catalogus.rdf"):
        assert (out / "brugwaard" / "open-data" / name).read_bytes() == \
            (built_demo / "brugwaard" / "open-data" / name).read_bytes()


# -- each question's figures ------------------------------------------------------------------

DOWNLOADS = re.compile(r'<p class="question__downloads">.*?</p>', re.S)


def test_every_chart_has_its_figures_as_csv_and_json_with_metadata(built_demo):
    site = built_demo / "lindenhaven"
    page = site / "resultaten" / "afval-2026" / "index.html"
    html = page.read_text(encoding="utf-8")
    articles = re.findall(r'<article class="question" aria-labelledby="vraag-([^"]+)">(.*?)</article>', html, re.S)
    assert articles
    data_csv = list(csv.DictReader(io.StringIO((page.parent / "data.csv").read_text(encoding="utf-8"))))
    data_json = json.loads((page.parent / "data.json").read_text(encoding="utf-8"))
    linked = 0
    for qid, body in articles:
        shown = re.search(r'class="barchart[ "]', body) is not None or '<dl class="facts">' in body
        links = DOWNLOADS.search(body)
        assert bool(links) == shown, qid  # beside every chart, and only there
        if not links:
            continue
        linked += 1
        hrefs = [(page.parent / h).resolve().relative_to(page.parent.resolve()).as_posix()
                 for h in re.findall(r'href="([^"]+)"', links.group(0))]
        assert hrefs == [f"cijfers/{qid}.csv", f"cijfers/{qid}.json", f"cijfers/{qid}.metadata.json"]
        rows = list(csv.DictReader(io.StringIO((page.parent / hrefs[0]).read_text(encoding="utf-8"))))
        assert rows == [r for r in data_csv if r["question_id"] == qid] and rows
        one = json.loads((page.parent / hrefs[1]).read_text(encoding="utf-8"))
        assert one["question"] == next(q for q in data_json["questions"] if q["id"] == qid)
        assert one["survey"] == data_json["survey"]
        meta = json.loads((page.parent / hrefs[2]).read_text(encoding="utf-8"))
        assert meta["source"] == "Lindenhaven Spreekt, inwonerspanel van de gemeente Lindenhaven"
        assert meta["publisher"]["id"].startswith("https://identifier.overheid.nl/tooi/id/gemeente/gm")
        assert meta["weighting"] == data_json["weighting"] and meta["method"]
        assert meta["fieldwork"] == {"start": data_json["survey"]["fieldwork_start"],
                                     "end": data_json["survey"]["fieldwork_end"]}
        assert meta["published"] == data_json["survey"]["publish_on"]
        assert set(meta["csv_columns"]) == set(rows[0])
        assert meta["files"]["csv"].endswith(f"/resultaten/afval-2026/cijfers/{qid}.csv")
    assert linked >= 3


def test_open_questions_get_no_files(built_demo):
    site = built_demo / "lindenhaven" / "resultaten"
    for survey in site.iterdir():
        spec_file = REPO / "content" / "lindenhaven" / "surveys" / survey.name / "survey.yaml"
        if not spec_file.is_file():
            continue
        spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
        for q in spec["questions"]:
            exists = (survey / "cijfers" / f"{q['id']}.csv").exists()
            assert exists == (q["type"] != "open"), (survey.name, q["id"])
