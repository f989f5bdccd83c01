"""One survey round, and that round as each tool writes it: the fixtures of the import tests.

``ROUND`` is generated once from a fixed seed: 150 respondents who finished and 20 who did not,
each with an age, sex, district, e-mail address and name and an answer (or none) to every
question of ``SURVEY_YAML``. ``canonical_csv()`` is its responses.csv as the build reads it,
written here by hand so the importer's own writer is not its own reference. The writers lay
the same round out as the tools do: SPSS through pyreadstat (numeric codes with value labels,
user-missing codes, 0.0/1.0 multi columns), Excel through openpyxl (labels as text),
Qualtrics' CSV (three header rows, numeric values or choice text) and LimeSurvey's CSV
(question codes with answer codes, or question texts with answer texts).
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass

MUNICIPALITY = """\
name: Teststad
panel_name: Teststad Panel
base_url: https://panel.teststad.nl/
brand:
  primary: "#0b5394"
  secondary: "#c25e00"
  logo:
    file: assets/logo.svg
    alt: Gemeente Teststad
contact:
  email: panel@teststad.nl
privacy:
  controller: College van B&W van Teststad
  dpo_email: fg@teststad.nl
  purposes:
    - Onderzoek
accessibility:
  status: C
  last_check: 2026-09-01
  signed_by: Directeur
  signed_on: 2026-09-02
  email: toegankelijkheid@teststad.nl
population:
  source: BRP
  date: 2026-01-01
  leeftijd:
    18-34: 3000
    35-49: 2500
    50-64: 2600
    65+: 2400
  geslacht:
    man: 5100
    vrouw: 5400
  wijk:
    Noord: 4000
    Zuid: 3500
    Centrum: 3000
"""

SURVEY_YAML = """\
title: Buurt en afval 2026
theme: leefbaarheid
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 400
publish_on: 2026-04-15
weighting: {by: [leeftijd, geslacht, wijk], cap: 5}
breakdowns: [wijk]
questions:
  - id: q1
    text: Hoe tevreden bent u over uw buurt?
    type: scale
    options: {1: Zeer ontevreden, 2: Ontevreden, 3: "Niet tevreden, niet ontevreden", 4: Tevreden, 5: Zeer tevreden}
    missing: {9: Weet niet}
  - id: q2
    text: Welk rapportcijfer geeft u uw buurt?
    type: grade
  - id: q3
    text: Welke soorten afval houdt u apart?
    type: multi
    options: {1: Papier, 2: Glas, 3: Plastic, 4: Geen van deze}
  - id: q4
    text: Gaat u weleens naar de milieustraat?
    type: single
    options: {1: Ja, 2: Nee}
    missing: {9: Weet niet}
  - id: q5
    text: Hoe tevreden bent u over de milieustraat?
    type: scale
    filter: q4 == 1
    options: {1: Zeer ontevreden, 2: Ontevreden, 3: "Niet tevreden, niet ontevreden", 4: Tevreden, 5: Zeer tevreden}
  - id: q6
    text: Hoeveel kilometer woont u van de milieustraat?
    type: number
    unit: km
  - id: q7
    text: Wat wilt u de gemeente nog zeggen?
    type: open
"""

SCALE = {1: "Zeer ontevreden", 2: "Ontevreden", 3: "Niet tevreden, niet ontevreden", 4: "Tevreden", 5: "Zeer tevreden"}
Q1 = {**SCALE, 9: "Weet niet"}
Q3 = {1: "Papier", 2: "Glas", 3: "Plastic", 4: "Geen van deze"}
Q4 = {1: "Ja", 2: "Nee", 9: "Weet niet"}
TEXTS = {
    "q1": "Hoe tevreden bent u over uw buurt?",
    "q2": "Welk rapportcijfer geeft u uw buurt?",
    "q3": "Welke soorten afval houdt u apart?",
    "q4": "Gaat u weleens naar de milieustraat?",
    "q5": "Hoe tevreden bent u over de milieustraat?",
    "q6": "Hoeveel kilometer woont u van de milieustraat?",
    "q7": "Wat wilt u de gemeente nog zeggen?",
}
BANDS = {"18-34": (18, 34), "35-49": (35, 49), "50-64": (50, 64), "65+": (65, 92)}
WIJKEN = ["Noord", "Zuid", "Centrum"]
REMARKS = ["Meer groen, graag.", 'De bus rijdt te weinig, zeker "s avonds".', "Prima zo",
           "De stoep in de Kerkstraat, bij nummer 12, is kapot.", "Meer bankjes in het park"]


@dataclass
class Respondent:
    finished: bool
    age: int
    sex: str
    wijk: str
    email: str
    name: str
    q1: int
    q2: int | None
    q3: tuple[int, ...]
    q4: int
    q5: int | None
    q6: float | None
    q7: str
    started: str

    @property
    def band(self) -> str:
        return next(b for b, (lo, hi) in BANDS.items() if lo <= self.age <= hi)


def make_round(completes: int = 150, partials: int = 20, seed: int = 15) -> list[Respondent]:
    rng = random.Random(seed)
    people = []
    for i in range(completes + partials):
        q4 = rng.choice([1, 1, 2, 9])
        chosen = tuple(sorted(rng.sample([1, 2, 3], rng.randint(1, 3)))) if rng.random() > 0.1 else (4,)
        people.append(Respondent(
            finished=True, age=rng.randint(18, 90), sex=rng.choice(["man", "vrouw"]), wijk=rng.choice(WIJKEN),
            email=f"inwoner{i}@voorbeeld.nl", name=f"{rng.choice(['Anna', 'Bram', 'Cor', 'Dewi'])} de Vries {i}",
            q1=rng.choice([1, 2, 3, 4, 4, 5, 5, 9]), q2=rng.choice([None, 5, 6, 7, 7, 8, 8, 9, 10]), q3=chosen,
            q4=q4, q5=rng.choice([1, 2, 3, 4, 5]) if q4 == 1 else None,
            q6=rng.choice([None, 0.5, 1, 2.5, 3, 12.25, 7]), q7=rng.choice(["", "", *REMARKS]),
            started=f"2026-03-{rng.randint(2, 16):02d} 1{rng.randint(0, 9)}:{rng.randint(10, 59)}:00"))
    for p in rng.sample(people, partials):
        p.finished = False
    return people


ROUND = make_round()
COMPLETES = [p for p in ROUND if p.finished]


def canonical_csv(people=COMPLETES) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["respondent_id", "leeftijd", "geslacht", "wijk", "q1", "q2", "q3_1", "q3_2", "q3_3", "q3_4",
                "q4", "q5", "q6", "q7"])
    for i, p in enumerate(people, start=1):
        w.writerow([i, p.band, p.sex, p.wijk, p.q1, _n(p.q2), *[int(c in p.q3) for c in Q3], p.q4, _n(p.q5),
                    _n(p.q6), "1" if p.q7 else ""])
    return out.getvalue().encode("utf-8")


def _n(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


# --- SPSS ---------------------------------------------------------------------


def write_sav(path, people=COMPLETES, band_labels=None, zsav: bool = False) -> None:
    """As a research agency delivers it: codes with value labels, user-missing codes, 0.0/1.0, an e-mail column."""
    import numpy as np
    import pandas as pd
    import pyreadstat

    bands = list(BANDS)
    band_labels = band_labels or {i: b for i, b in enumerate(bands, start=1)}
    df = pd.DataFrame({
        "e_mail": [p.email for p in people],
        "lftcat": [float(bands.index(p.band) + 1) for p in people],
        "gesl": [1.0 if p.sex == "man" else 2.0 for p in people],
        "woonwijk": [float(WIJKEN.index(p.wijk) + 1) for p in people],
        "v1": [float(p.q1) for p in people],
        "v2": [float(p.q2) if p.q2 is not None else 99.0 for p in people],
        **{f"v3_{c}": [float(c in p.q3) for p in people] for c in Q3},
        "v4": [float(p.q4) for p in people],
        "v5": [float(p.q5) if p.q5 is not None else np.nan for p in people],
        "v6": [float(p.q6) if p.q6 is not None else np.nan for p in people],
        "v7": [p.q7 for p in people],
    })
    labels = {
        "lftcat": band_labels, "gesl": {1: "Man", 2: "Vrouw"},
        "woonwijk": {i: w for i, w in enumerate(WIJKEN, start=1)},
        "v1": {**{k: v.replace(", ", "/") for k, v in SCALE.items()}, 9: "Weet niet"},  # the agency's own spelling
        "v2": {99: "Geen antwoord"},
        **{f"v3_{c}": {0: "Niet genoemd", 1: "Genoemd"} for c in Q3},
        "v4": Q4, "v5": SCALE,
    }
    column_labels = {"e_mail": "E-mailadres", "lftcat": "Leeftijd in klassen", "gesl": "Geslacht", "woonwijk": "Wijk",
                     **{f"v{i}": TEXTS[f"q{i}"] for i in (1, 2, 4, 5, 6, 7)},
                     **{f"v3_{c}": f"{TEXTS['q3']} - {label}" for c, label in Q3.items()}}
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels, column_labels=column_labels,
                         missing_ranges={"v1": [9], "v2": [99], "v4": [9]}, compress=zsav,
                         file_label="Buurt en afval 2026")


# --- Excel --------------------------------------------------------------------


def write_xlsx(path, people=COMPLETES) -> None:
    """As an agency's spreadsheet: a name column, the age in years, labels as text, some numbers stored as text."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Naam", "Leeftijd", "Geslacht", "Wijk", TEXTS["q1"], TEXTS["q2"],
               *[f"q3_{c}" for c in Q3], TEXTS["q4"], TEXTS["q5"], TEXTS["q6"], TEXTS["q7"]])
    for i, p in enumerate(people):
        ws.append([p.name, p.age, p.sex.capitalize(), p.wijk, Q1[p.q1],
                   None if p.q2 is None else (str(p.q2) if i % 3 == 0 else p.q2),  # numbers stored as text too
                   *[Q3[c] if c in p.q3 else None for c in Q3], Q4[p.q4],
                   None if p.q5 is None else SCALE[p.q5], p.q6, p.q7 or None])
    wb.save(path)


# --- Qualtrics ------------------------------------------------------------------

QUALTRICS_META = [("StartDate", "Start Date", "startDate"), ("EndDate", "End Date", "endDate"),
                  ("Status", "Response Type", "status"), ("IPAddress", "IP Address", "ipAddress"),
                  ("Progress", "Progress", "progress"), ("Duration (in seconds)", "Duration (in seconds)", "duration"),
                  ("Finished", "Finished", "finished"), ("RecordedDate", "Recorded Date", "recordedDate"),
                  ("ResponseId", "Response ID", "_recordId"), ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
                  ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
                  ("RecipientEmail", "Recipient Email", "recipientEmail"),
                  ("ExternalReference", "External Data Reference", "externalDataReference"),
                  ("LocationLatitude", "Location Latitude", "locationLatitude"),
                  ("LocationLongitude", "Location Longitude", "locationLongitude"),
                  ("DistributionChannel", "Distribution Channel", "distributionChannel"),
                  ("UserLanguage", "User Language", "userLanguage")]


def write_qualtrics(path, people=ROUND, choice_text: bool = False, preview: bool = True) -> None:
    """Data & Analysis → Export → CSV, "Use numeric values" or "Use choice text"; background as embedded data."""
    names = [m[0] for m in QUALTRICS_META] + ["Q1", "Q2", *[f"Q3_{c}" for c in Q3], "Q4", "Q5", "Q6", "Q7",
                                              "leeftijd", "geslacht", "wijk"]
    texts = [m[1] for m in QUALTRICS_META] + [TEXTS["q1"], TEXTS["q2"],
                                              *[f"{TEXTS['q3']} - Selected Choice - {Q3[c]}" for c in Q3],
                                              TEXTS["q4"], TEXTS["q5"], TEXTS["q6"], TEXTS["q7"],
                                              "leeftijd", "geslacht", "wijk"]
    ids = [m[2] for m in QUALTRICS_META] + ["QID1", "QID2", *[f"QID3_{c}" for c in Q3], "QID4", "QID5",
                                            "QID6_TEXT", "QID7_TEXT", "leeftijd", "geslacht", "wijk"]
    rows = []
    everyone = list(people)
    if preview:  # a preview the researcher made before fieldwork: Status 1, "Survey Preview"
        everyone.insert(3, make_round(1, 0, seed=99)[0])
    for i, p in enumerate(everyone):
        is_preview = preview and i == 3
        status = ("Survey Preview" if choice_text else "1") if is_preview else ("IP Address" if choice_text else "0")
        done = p.finished
        finished = ("True" if done else "False") if choice_text else ("1" if done else "0")
        answers = _qualtrics_answers(p, choice_text, done)
        rows.append([p.started, p.started, status, f"192.0.2.{i % 250}", "100" if done else "40", str(300 + i),
                     finished, p.started, f"R_{i:04d}abcDEF", p.name.split()[-2], p.name.split()[0], p.email, "",
                     "52.0907", "5.1214", "email", "NL", *answers, p.band, p.sex, p.wijk])
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(names)
    w.writerow(texts)
    w.writerow([json.dumps({"ImportId": x}) for x in ids])
    w.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def _qualtrics_answers(p: Respondent, text: bool, done: bool) -> list[str]:
    q1 = Q1[p.q1] if text else str(p.q1)
    if not done:  # stopped after the first page
        return [q1, _n(p.q2), *[""] * 4, "", "", "", ""]
    q3 = [(Q3[c] if text else "1") if c in p.q3 else "" for c in Q3]
    q4 = Q4[p.q4] if text else str(p.q4)
    q5 = "" if p.q5 is None else (SCALE[p.q5] if text else str(p.q5))
    return [q1, _n(p.q2), *q3, q4, q5, _n(p.q6), p.q7]


# --- LimeSurvey -----------------------------------------------------------------

LIME_FIELDS = [("id", "Response ID"), ("submitdate", "Date submitted"), ("lastpage", "Last page"),
               ("startlanguage", "Start language"), ("seed", "Seed"), ("token", "Token"),
               ("startdate", "Date started"), ("datestamp", "Date last action"), ("ipaddr", "IP address")]
LIME_AGE = {"18-34": "A1", "35-49": "A2", "50-64": "A3", "65+": "A4"}
LIME_AGE_TEXT = {"18-34": "18 t/m 34 jaar", "35-49": "35 t/m 49 jaar", "50-64": "50 t/m 64 jaar", "65+": "65 jaar of ouder"}


def write_limesurvey(path, people=ROUND, long: bool = False) -> None:
    """Export results: "question code" headings with "answer codes", or "full question text" with "full answers"."""
    if long:
        header = [f[1] for f in LIME_FIELDS] + ["Wat is uw leeftijd?", "Wat is uw geslacht?", "In welke wijk woont u?",
                                                TEXTS["q1"], TEXTS["q2"], *[f"{TEXTS['q3']} [{Q3[c]}]" for c in Q3],
                                                TEXTS["q4"], TEXTS["q5"], TEXTS["q6"], TEXTS["q7"]]
    else:
        header = [f[0] for f in LIME_FIELDS] + ["leeftijd", "geslacht", "wijk", "q1", "q2",
                                                *[f"q3[SQ00{c}]" for c in Q3], "q4", "q5", "q6", "q7"]
    rows = []
    for i, p in enumerate(people, start=1):
        submitted = p.started if p.finished else ""
        if long:
            background = [LIME_AGE_TEXT[p.band], "Male" if p.sex == "man" else "Female", p.wijk]
            q1 = Q1[p.q1]
        else:
            background = [LIME_AGE[p.band], "M" if p.sex == "man" else "F", f"W{WIJKEN.index(p.wijk) + 1}"]
            q1 = f"A{p.q1}"
        if p.finished:
            q3 = [("Yes" if long else "Y") if c in p.q3 else ("No" if long else "") for c in Q3]
            rest = [Q4[p.q4] if long else f"A{p.q4}", "" if p.q5 is None else (SCALE[p.q5] if long else f"A{p.q5}"),
                    _n(p.q6), p.q7]
        else:
            q3, rest = (["No" if long else ""] * 4), ["", "", "", ""]
        rows.append([str(i), submitted, "3" if p.finished else "1", "nl", str(1000 + i), f"tok{i:05d}", p.started,
                     p.started, f"198.51.100.{i % 250}", *background, q1, _n(p.q2), *q3, *rest])
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8") + b"\r\n")


LIME_MAPPING = """\
# LimeSurvey's answer codes of the background questions are no population categories.
recode:
  leeftijd: {A1: 18-34, A2: 35-49, A3: 50-64, A4: 65+}
  wijk: {W1: Noord, W2: Zuid, W3: Centrum}
"""


def write_qualtrics_legacy(path, people=ROUND) -> None:
    """The legacy export: V1…V10 for Qualtrics' own columns, named in the second row; two header rows."""
    legacy = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
              "StartDate", "EndDate", "Finished"]
    names = [f"V{i}" for i in range(1, 11)] + ["Q1", "Q2", *[f"Q3_{c}" for c in Q3], "Q4", "Q5", "Q6", "Q7",
                                               "leeftijd", "geslacht", "wijk"]
    texts = legacy + [TEXTS["q1"], TEXTS["q2"], *[f"{TEXTS['q3']}-{Q3[c]}" for c in Q3], TEXTS["q4"], TEXTS["q5"],
                      TEXTS["q6"], TEXTS["q7"], "leeftijd", "geslacht", "wijk"]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(names)
    w.writerow(texts)
    for i, p in enumerate(people):
        w.writerow([f"R_{i:04d}", "Default Response Set", p.name, "", p.email, f"192.0.2.{i % 250}", "0",
                    p.started, p.started, "1" if p.finished else "0", *_qualtrics_answers(p, False, p.finished),
                    p.band, p.sex, p.wijk])
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
