"""The figures of one question, beside its chart: ``resultaten/<survey>/cijfers/<question>.csv``,
``.json`` and ``.metadata.json``, as statistical offices and Our World in Data offer a chart's data.

The CSV and JSON are the question's part of the round's open data (``data.csv``, ``data.json``:
panelsite.surveys.opendata), so the two never disagree; the metadata file says where the figures
come from and how they were made (source, method, weighting, dates, licence, what each CSV column
holds). Open questions get none: their answers are never published.
"""

from __future__ import annotations

import csv
import functools
import io
import json

from panelsite.results.catalogue import licence_iri, publisher_iri
from panelsite.surveys.text import method_text

FOLDER = "cijfers/"

CSV_COLUMNS = {
    "survey_id": "het onderzoek", "question_id": "de vraag",
    "breakdown_variable": "leeg voor alle deelnemers samen, anders de achtergrondvariabele van de groep",
    "group": "de groep (bij een breakdown_variable)",
    "statistic": "wat de rij bevat: base (aantal deelnemers), pct (aandeel per antwoord), missing_pct (apart geteld), "
                 "key, top2, share_8plus, share_below6 (aandelen), mean, median",
    "code": "code van het antwoord", "label": "het antwoord", "n": "aantal deelnemers (ongewogen)",
    "value": "gewogen percentage (0-100) of gemiddelde", "ci_low": "ondergrens 95%-interval",
    "ci_high": "bovengrens 95%-interval",
    "se": "standaardfout (procentpunten, of de eenheid van de vraag)",
    "interval": "hoe het interval is berekend: linearisation (waarde ± 1,96 × se) of wilson",
    "suppressed": "true: te weinig deelnemers, geen cijfers",
    "indicative": "true: minder deelnemers dan de indicatieve grens",
    "test": "bij een toets: versus_rest (een groep tegen de rest van de gemeente) of change (tegen de vorige meting)",
    "compared_with": "bij change: de vorige meting waarmee vergeleken is",
    "diff": "het verschil (groep min rest, of nu min vorige meting)",
    "p": "de p-waarde van de toets", "significant": "true: het verschil is significant (95%)",
    "tested": "false: niet getoetst, de groep is te klein",
}  # the columns of data.csv (panelsite.surveys.opendata.CSV_COLUMNS), in Dutch


def paths(survey_id: str, question_id: str) -> dict[str, str]:
    base = f"resultaten/{survey_id}/{FOLDER}{question_id}"
    return {"csv": base + ".csv", "json": base + ".json", "metadata": base + ".metadata.json"}


def add_outputs(site, results, survey) -> None:
    """The three files of every closed question of a round with responses.

    Decided from the definition alone, so planning computes no results. A question whose figures
    are suppressed gets files too, holding what data.csv holds for it (its base row, ``suppressed``);
    its results page shows no figures and so no links to them.
    """
    if not survey.has_responses:
        return
    for question in survey.questions:
        if question.type == "open":
            continue
        files = paths(survey.id, question.id)
        qid = question.id
        # as data.csv and data.json: with the changes against the previous round of the series
        key = (survey.source_hash, results.series_key(survey))
        # The round's data.csv and data.json are made once (Results.open_data_csv, .open_data)
        # and each question's files cut from them.
        site.add_file(files["csv"], lambda qid=qid: question_csv(results.open_data_csv(survey), qid), *key)
        site.add_file(files["json"], lambda qid=qid: question_json(results.open_data(survey), qid), *key)
        site.add_file(files["metadata"],
                      lambda qid=qid: metadata_json(site, results.of(survey), results.open_data(survey), qid),
                      *key, site.municipality.open_data, site.municipality.panel_name)


def question_csv(data_csv: str, question_id: str) -> bytes:
    """The rows of data.csv that belong to one question (same columns, same values)."""
    header, by_question = _rows_by_question(data_csv)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(by_question.get(question_id, []))
    return buffer.getvalue().encode()


@functools.lru_cache(maxsize=4)
def _rows_by_question(data_csv: str) -> tuple[list[str], dict[str, list[list[str]]]]:
    """data.csv read once for all its questions' files (a str caches its hash: the lookup is free)."""
    rows = csv.reader(io.StringIO(data_csv))
    header = next(rows)
    column = header.index("question_id")
    by_question: dict[str, list[list[str]]] = {}
    for row in rows:
        by_question.setdefault(row[column], []).append(row)
    return header, by_question


def question_json(data: dict, question_id: str) -> bytes:
    question = next(q for q in data["questions"] if q["id"] == question_id)
    document = {"survey": data["survey"], "question": question}
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode()


def metadata_json(site, survey_results, data: dict, question_id: str) -> bytes:
    m, s = site.municipality, survey_results.survey
    question = next(q for q in data["questions"] if q["id"] == question_id)
    files = {kind: site.base_url + path for kind, path in paths(s.id, question_id).items() if kind != "metadata"}
    document = {
        "title": question["text"],
        "question": {"id": question["id"], "type": question["type"], "unit": question["unit"],
                     "filter": question["filter"]},
        "survey": {"id": s.id, "title": s.title, "page": f"{site.base_url}resultaten/{s.id}/"},
        "source": f"{m.panel_name}, inwonerspanel van de gemeente {m.name}",
        "publisher": {"name": f"Gemeente {m.name}", "id": publisher_iri(m)},
        "licence": licence_iri(m),
        "published": data["survey"]["publish_on"],
        "fieldwork": {"start": data["survey"]["fieldwork_start"], "end": data["survey"]["fieldwork_end"]},
        "method": method_text(survey_results),
        "weighting": data["weighting"],
        "population": data["population"],
        "suppression": data["suppression"],
        "files": files,
        "csv_columns": CSV_COLUMNS,
        "all_figures_of_the_survey": {"csv": f"{site.base_url}resultaten/{s.id}/data.csv",
                                      "json": f"{site.base_url}resultaten/{s.id}/data.json",
                                      "catalogue": site.base_url + "open-data/catalogus.jsonld"},
    }
    return (json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n").encode()
