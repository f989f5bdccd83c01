"""The site's open-data catalogue in DCAT-AP-NL 3.0: ``open-data/catalogus.jsonld`` and
``open-data/catalogus.rdf``.

One ``dcat:Dataset`` per published round (survey), with two distributions, the round's
``data.csv`` and ``data.json``; the catalogue and every dataset name the municipality as publisher
and creator by its TOOI identifier (``open_data.tooi`` in its configuration), with its licence,
EU data theme, temporal coverage (the fieldwork) and contact point.

JSON-LD is what search engines and most tools read; RDF/XML is the serialisation of DCAT feeds
that data.overheid.nl harvests (its harvester reads "DCAT-NL" as RDF/XML, as the DCAT-AP-DONL feeds
it takes). Both hold the same graph, written from one list of nodes.
The context is inline and no node is blank, so nothing is fetched and two builds write the same bytes.

Only what the public build publishes is listed: the surveys past their embargo (drafts in a
``--drafts`` preview). docs/open-data.md describes every property.
"""

from __future__ import annotations

import functools
import json
from xml.sax.saxutils import escape

from panelsite.engine.family import SiteInputs
from panelsite.engine.site import NavItem, Site

FOLDER = "open-data/"
JSONLD_PATH = FOLDER + "catalogus.jsonld"
RDF_PATH = FOLDER + "catalogus.rdf"

EU = "http://publications.europa.eu/resource/authority/"
TOOI_GEMEENTE = "https://identifier.overheid.nl/tooi/id/gemeente/"
LICENCES = {  # open_data.licence → the licence's IRI in DCAT-AP-NL's list of licences
    "cc0": "http://creativecommons.org/publicdomain/zero/1.0/deed.nl",
    "cc-by-4.0": "http://creativecommons.org/licenses/by/4.0/deed.nl",
}
# panelsite's survey themes → the EU's data themes (DCAT-AP-NL prescribes that vocabulary)
EU_THEMES = {
    "afval": "ENVI", "openbare-ruimte": "REGI", "leefbaarheid": "SOCI", "mobiliteit": "TRAN", "mantelzorg": "HEAL",
    "eenzaamheid": "SOCI", "veiligheid": "JUST", "duurzaamheid": "ENVI", "sociaal-domein": "SOCI",
    "dienstverlening": "GOVE", "kerntaken": "GOVE", "demografische-ontwikkeling": "SOCI",
    "gebiedsontwikkeling": "REGI", "openingstijden": "GOVE", "recreatie-en-toerisme": "EDUC",
    "economie-en-ondernemen": "ECON", "informatie-over-zorg": "HEAL", "vrijwilligerswerk": "SOCI",
    "inwonersinitiatieven": "SOCI", "welzijn": "HEAL", "overig": "SOCI",
}  # a municipality's own themes (themes: in its configuration): SOCI, Population and society
FORMATS = {"csv": ("CSV", "text/csv"), "json": ("JSON", "application/json")}

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "adms": "http://www.w3.org/ns/adms#",
}


def _id(iri: str) -> dict:
    return {"@id": iri}


def _nl(text: str) -> dict:
    return {"@value": text, "@language": "nl"}


def _date(day) -> dict:
    return {"@value": day.isoformat(), "@type": "xsd:date"}


def publisher_iri(m) -> str:
    """The municipality's TOOI identifier; without ``open_data.tooi``, an identifier on its own site."""
    tooi = m.open_data.tooi
    return TOOI_GEMEENTE + tooi if tooi else m.base_url + "#gemeente"


def licence_iri(m) -> str:
    return LICENCES[m.open_data.licence]


def catalogue(site: Site, surveys: list) -> dict:
    """The JSON-LD document of the catalogue of ``surveys`` (the published rounds)."""
    m, base = site.municipality, site.base_url
    publisher, licence = publisher_iri(m), licence_iri(m)
    contact = base + JSONLD_PATH + "#contactpunt"
    catalogue_iri = base + JSONLD_PATH + "#catalogus"
    graph: list[dict] = [
        {"@id": catalogue_iri, "@type": "dcat:Catalog",
         "dct:title": _nl(f"Open data van {m.panel_name}"),
         "dct:description": _nl(f"De uitkomsten van de onderzoeken van {m.panel_name}, het inwonerspanel van de "
                                f"gemeente {m.name}: per onderzoek alle cijfers, ook per groep, als CSV en JSON. "
                                "Alleen groepscijfers, geen antwoorden van personen."),
         "dct:publisher": _id(publisher), "dct:creator": _id(publisher), "dcat:contactPoint": _id(contact),
         "dct:language": _id(EU + "language/NLD"), "dct:license": _id(licence), "foaf:homepage": _id(base),
         "dcat:dataset": [_id(_dataset_iri(base, s)) for s in surveys],
         **({"dct:modified": _date(max(s.publish_on for s in surveys))} if surveys else {})},
        {"@id": publisher, "@type": "foaf:Agent", "foaf:name": _nl(f"Gemeente {m.name}"),
         "dct:type": _id("http://purl.org/adms/publishertype/LocalAuthority")},
        _contact_point(m, contact),
    ]
    for survey in surveys:
        graph.extend(_dataset(site, survey, publisher, licence, contact))
    graph.extend(_vocabulary_terms(surveys, licence))
    return {"@context": CONTEXT, "@graph": graph}


def _dataset_iri(base: str, survey) -> str:
    return f"{base}resultaten/{survey.id}/#dataset"


def _contact_point(m, iri: str) -> dict:
    c = m.contact
    node = {"@id": iri, "@type": "vcard:Organization", "vcard:fn": _nl(c.department or f"Gemeente {m.name}"),
            "vcard:organization-name": _nl(f"Gemeente {m.name}"), "vcard:hasEmail": _id(f"mailto:{c.email}"),
            "vcard:hasURL": _id(m.base_url + "contact/")}
    if c.phone:
        node["vcard:hasTelephone"] = _id("tel:" + "".join(ch for ch in str(c.phone) if ch.isdigit() or ch == "+"))
    return node


def _dataset(site: Site, survey, publisher: str, licence: str, contact: str) -> list[dict]:
    base = site.base_url
    page = f"{base}resultaten/{survey.id}/"
    iri = _dataset_iri(base, survey)
    description = (survey.summary or "").strip() or f"Uitkomsten van het onderzoek ‘{survey.title}’."
    description += (f" Onderzoek van {site.municipality.panel_name} onder zijn panelleden, gehouden van "
                    f"{survey.fieldwork_start.isoformat()} tot en met {survey.fieldwork_end.isoformat()}; "
                    "gewogen percentages met 95%-intervallen, per vraag en per groep.")
    dataset = {
        "@id": iri, "@type": "dcat:Dataset",
        "dct:title": _nl(f"{site.municipality.panel_name}: {survey.title}"),
        "dct:description": _nl(description),
        "dct:identifier": page,
        "dct:publisher": _id(publisher), "dct:creator": _id(publisher), "dcat:contactPoint": _id(contact),
        "dcat:theme": _id(EU + "data-theme/" + EU_THEMES.get(survey.theme, "SOCI")),
        "dcat:keyword": [_nl(survey.theme_label), _nl("inwonerspanel"), _nl(site.municipality.name)],
        "dct:accessRights": _id(EU + "access-right/PUBLIC"),
        "dct:language": _id(EU + "language/NLD"),
        "dct:issued": _date(survey.publish_on),
        "dct:temporal": _id(iri + "-periode"),
        "dcat:landingPage": _id(page),
        "dcat:distribution": [_id(f"{iri}-{kind}") for kind in FORMATS],
    }
    period = {"@id": iri + "-periode", "@type": "dct:PeriodOfTime",
              "dcat:startDate": _date(survey.fieldwork_start), "dcat:endDate": _date(survey.fieldwork_end)}
    distributions = []
    for kind, (file_type, media) in FORMATS.items():
        url = f"{page}data.{kind}"
        distributions.append({
            "@id": f"{iri}-{kind}", "@type": "dcat:Distribution",
            "dct:title": _nl(f"{survey.title}: alle cijfers als {file_type}"),
            "dcat:accessURL": _id(url), "dcat:downloadURL": _id(url),
            "dct:format": _id(EU + "file-type/" + file_type), "dcat:mediaType": _id(
                "https://www.iana.org/assignments/media-types/" + media),
            "dct:license": _id(licence), "dct:language": _id(EU + "language/NLD"),
        })
    return [dataset, period, *distributions]


def _vocabulary_terms(surveys: list, licence: str) -> list[dict]:
    """The classes of the vocabulary terms used (DCAT-AP's shapes ask for them; the EU lists do not all say)."""
    themes = sorted({EU_THEMES.get(s.theme, "SOCI") for s in surveys})
    terms = [{"@id": EU + "data-theme/" + t, "@type": "skos:Concept",
              "skos:inScheme": _id(EU + "data-theme")} for t in themes]
    terms += [{"@id": EU + "language/NLD", "@type": "dct:LinguisticSystem"},
              {"@id": EU + "access-right/PUBLIC", "@type": "dct:RightsStatement"},
              {"@id": licence, "@type": "dct:LicenseDocument"}]
    if surveys:
        terms += [{"@id": EU + "file-type/" + t, "@type": "dct:MediaTypeOrExtent"} for t, _ in FORMATS.values()]
        terms += [{"@id": "https://www.iana.org/assignments/media-types/" + media, "@type": "dct:MediaType"}
                  for _, media in FORMATS.values()]
    return terms


def jsonld_bytes(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()


def rdf_xml_bytes(document: dict) -> bytes:
    """The same graph as RDF/XML: one ``rdf:Description`` per node, in the JSON-LD's order.

    Written here rather than by rdflib, whose serialisers order nodes and namespaces by hash (a
    different file from every process); the tests parse both files with rdflib and compare the graphs.
    """
    context = document["@context"]

    def iri(term: str) -> str:
        prefix, _, local = term.partition(":")
        return context[prefix] + local if prefix in context and not local.startswith("//") else term

    def element(term: str) -> str:
        prefix, _, local = term.partition(":")
        return f"{prefix}:{local}"

    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    lines += [f'  xmlns:{prefix}="{escape(ns)}"' for prefix, ns in sorted({**context, "rdf": _RDF}.items())]
    lines[-1] += ">"
    for node in document["@graph"]:
        lines.append(f'  <rdf:Description rdf:about="{_attr(node["@id"])}">')
        types = node.get("@type", [])
        for kind in [types] if isinstance(types, str) else types:
            lines.append(f'    <rdf:type rdf:resource="{_attr(iri(kind))}"/>')
        for term, values in node.items():
            if term.startswith("@"):
                continue
            name = element(term)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str):
                    lines.append(f"    <{name}>{escape(value)}</{name}>")
                elif "@id" in value:
                    lines.append(f'    <{name} rdf:resource="{_attr(iri(value["@id"]))}"/>')
                elif "@language" in value:
                    lines.append(f'    <{name} xml:lang="{value["@language"]}">{escape(value["@value"])}</{name}>')
                else:
                    lines.append(f'    <{name} rdf:datatype="{_attr(iri(value["@type"]))}">'
                                 f"{escape(value['@value'])}</{name}>")
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return ("\n".join(lines) + "\n").encode()


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


# -- the page family (engine.family.PageFamily) ---------------------------------------------------

def load(options, inputs: SiteInputs) -> None:
    """Nothing of its own to read: the catalogue describes the results (results.family loads them)."""


def navigation() -> list[NavItem]:
    return []


def prepare(site: Site) -> None:
    """No other page shows the catalogue's data (the results page links the files by their paths)."""


def add_outputs(site: Site) -> None:
    m = site.municipality
    results = site.inputs.results
    # Its inputs: the published rounds (ids, sources, dates), and what the configuration says of the
    # publisher, the licence and the contact point (base_url is in every output's key).
    key = (results.key, m.open_data, m.contact, m.name, m.panel_name)
    document = functools.cache(lambda: catalogue(site, results.published))
    site.add_file(JSONLD_PATH, lambda: jsonld_bytes(document()), *key)
    site.add_file(RDF_PATH, lambda: rdf_xml_bytes(document()), *key)
