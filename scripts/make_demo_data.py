"""Generate the synthetic demo data for the three demo municipalities.

What this script writes (and nothing else):

* ``content/<slug>/panel/members.csv`` - the member register behind the
  panel-composition page: ``member_id,leeftijd,geslacht,wijk,joined,left``.
* ``content/<slug>/surveys/<survey-id>/responses.csv`` - one row per respondent.

``survey.yaml`` and ``factsheet.md`` are authored by hand; this script reads
``survey.yaml`` (question ids, types, options, filters, fieldwork dates) and
the population figures in ``municipalities/<slug>.yaml``.

The data are made up but behave like a real panel: older residents join and
respond more often than young ones (so weighting matters), answers depend on
age and district, each respondent has a general "mood" that links their
answers, and filtered questions are blank for respondents outside the filter.
The invited count of a survey is the number of members active on the first
day of fieldwork; the script checks that survey.yaml says the same.

Deterministic: every file has its own numpy ``default_rng`` seeded from a
fixed number and the file's name, so running it twice gives identical bytes.

    python scripts/make_demo_data.py            # write into the repository
    python scripts/make_demo_data.py --out DIR  # write the same files under DIR
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261128
REGISTER_DATE = date(2026, 11, 20)  # the day the member registers were "exported"

# Older residents join a panel and answer its questionnaires more often.
JOIN_BY_AGE = {"18-34": 0.55, "35-49": 0.85, "50-64": 1.2, "65+": 1.45}
JOIN_BY_SEX = {"man": 0.95, "vrouw": 1.05}
RESPONSE_BY_AGE = {"18-34": 0.42, "35-49": 0.53, "50-64": 0.66, "65+": 0.76}
LEAVE_PER_YEAR = {"18-34": 0.13, "35-49": 0.08, "50-64": 0.05, "65+": 0.065}


def rng_for(*names: str) -> np.random.Generator:
    """A generator of its own per output file, stable across Python runs."""
    return np.random.default_rng([SEED, zlib.crc32("/".join(names).encode("utf-8"))])


# --------------------------------------------------------------------------
# Member registers
# --------------------------------------------------------------------------

@dataclass
class Panel:
    prefix: str
    waves: list[tuple[date, int]]  # recruitment letters or campaigns: (date, number who join)
    trickle_from: date              # from this month on, people join on their own
    trickle_per_month: int
    join_by_wijk: dict[str, float] = field(default_factory=dict)


PANELS = {
    "lindenhaven": Panel(
        prefix="LH",
        waves=[(date(2023, 10, 2), 1450), (date(2025, 1, 13), 650)],
        trickle_from=date(2023, 11, 1),
        trickle_per_month=21,
        join_by_wijk={"Centrum": 0.9, "Havenkwartier": 0.7, "Lindenhof": 1.05, "Noordveld": 1.1, "Buitengebied": 1.25},
    ),
    "brugwaard": Panel(
        prefix="BW",
        waves=[(date(2024, 3, 4), 520), (date(2025, 8, 25), 180)],
        trickle_from=date(2024, 4, 1),
        trickle_per_month=11,
        join_by_wijk={"Brugwaard": 1.0, "Oosterdijk": 1.05, "Eikelo": 1.1, "Hoeveslag": 0.95, "Kleiwerd": 0.9},
    ),
    "heidebeek": Panel(
        prefix="HB",
        waves=[(date(2024, 1, 15), 2100), (date(2025, 9, 8), 950)],
        trickle_from=date(2024, 2, 1),
        trickle_per_month=30,
        join_by_wijk={"Centrum": 0.85, "Beekdal": 1.1, "Heideveld": 0.8, "Bongerd": 1.2,
                      "Stationskwartier": 0.8, "Heikant": 1.15},
    ),
}


@dataclass
class Member:
    member_id: str
    leeftijd: str
    geslacht: str
    wijk: str
    joined: date
    left: date | None

    def active_on(self, day: date) -> bool:
        return self.joined <= day and (self.left is None or self.left > day)


def _draw(rng: np.random.Generator, weights: dict[str, float], n: int) -> list[str]:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return [keys[i] for i in rng.choice(len(keys), size=n, p=p / p.sum())]


def make_members(slug: str, population: dict[str, dict[str, int]]) -> list[Member]:
    panel = PANELS[slug]
    rng = rng_for(slug, "members")
    joined: list[date] = []
    for day, n in panel.waves:
        # most people answer the invitation letter within a few weeks
        for lag in np.minimum(rng.exponential(12.0, size=n), 75.0):
            joined.append(day + timedelta(days=int(lag)))
    month = panel.trickle_from
    while month <= REGISTER_DATE:
        for _ in range(rng.poisson(panel.trickle_per_month)):
            day = month + timedelta(days=int(rng.integers(0, 28)))
            if day <= REGISTER_DATE:
                joined.append(day)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    joined.sort()
    n = len(joined)
    age = _draw(rng, {k: v * JOIN_BY_AGE[k] for k, v in population["leeftijd"].items()}, n)
    sex = _draw(rng, {k: v * JOIN_BY_SEX[k] for k, v in population["geslacht"].items()}, n)
    wijk = _draw(rng, {k: v * panel.join_by_wijk[k] for k, v in population["wijk"].items()}, n)
    members = []
    for i in range(n):
        stay = rng.exponential(365.25 / LEAVE_PER_YEAR[age[i]])
        left = joined[i] + timedelta(days=int(stay) + 1)
        members.append(Member(f"{panel.prefix}{i + 1:05d}", age[i], sex[i], wijk[i], joined[i],
                               left if left <= REGISTER_DATE else None))
    return members


def members_csv(members: list[Member]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["member_id", "leeftijd", "geslacht", "wijk", "joined", "left"])
    for m in members:
        w.writerow([m.member_id, m.leeftijd, m.geslacht, m.wijk, m.joined.isoformat(),
                    m.left.isoformat() if m.left else ""])
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------
# Answer models, one per question (the survey.yaml holds the question itself)
# --------------------------------------------------------------------------

@dataclass
class Scale:
    """Ordered answers (scale and grade): mean + age/district/sex effects + mood + noise."""
    mean: float
    sd: float = 0.9
    age: dict = field(default_factory=dict)
    wijk: dict = field(default_factory=dict)
    sex: dict = field(default_factory=dict)
    mood: float = 0.55       # how strongly the respondent's general mood shows
    dk: float = 0.03         # share answering the "weet niet" code, if the question has one
    dk_age: dict = field(default_factory=dict)


@dataclass
class Single:
    """Nominal answers: base probabilities shifted per age group and district."""
    p: dict
    age: dict = field(default_factory=dict)   # {"65+": {1: +0.1}}
    wijk: dict = field(default_factory=dict)
    dk: float = 0.0


@dataclass
class Multi:
    """One yes/no per option; probabilities multiplied per age group and district."""
    p: dict
    age: dict = field(default_factory=dict)   # {"18-34": {5: 1.5}}
    wijk: dict = field(default_factory=dict)
    none: int | None = None   # exclusive "none of these" option
    max_choices: int | None = None


@dataclass
class Number:
    """A lognormal (spread > 0) or normal amount, median per district, rounded to ``step``."""
    median: float
    spread: float = 0.5
    normal_sd: float | None = None
    age: dict = field(default_factory=dict)   # multiplicative
    wijk: dict = field(default_factory=dict)  # median per district
    step: float = 1.0
    lo: float = 0.0
    hi: float = 1e9


@dataclass
class Open:
    """Free text: a share of respondents write one of these (harmless) remarks."""
    p: float
    texts: list
    by_wijk: dict = field(default_factory=dict)


@dataclass
class SurveyModel:
    excel_nl: bool = False        # write ';' separated Windows-1252 with decimal commas
    nonresponse: float = 0.012    # item non-response per question (blank cell)
    response_by_wijk: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)


AGREE_SUPPORT = {"18-34": -0.35, "35-49": -0.1, "50-64": 0.05, "65+": 0.2}


def afval_model(year: int) -> SurveyModel:
    # The extra bulky-waste round in the Havenkwartier (spring 2025) shows in 2026.
    haven = -0.55 if year == 2025 else -0.2
    return SurveyModel(questions={
        "q1": Scale(3.55 if year == 2025 else 3.65, age={"18-34": -0.2, "65+": 0.25},
                    wijk={"Havenkwartier": haven, "Centrum": -0.15, "Buitengebied": 0.2}, dk=0.02),
        "q2": Scale(6.9 if year == 2025 else 7.05, sd=1.3, age={"18-34": -0.3, "65+": 0.35},
                    wijk={"Havenkwartier": haven * 1.6, "Buitengebied": 0.3}),
        "q3": Multi({1: 0.72, 2: 0.93, 3: 0.81, 4: 0.88, 5: 0.52, 6: 0.02},
                    age={"18-34": {1: 0.8, 5: 0.7, 4: 0.9}, "65+": {5: 1.25, 1: 1.1}},
                    wijk={"Centrum": {1: 0.6}, "Havenkwartier": {1: 0.65, 3: 0.9}, "Buitengebied": {1: 1.2}},
                    none=6),
        "q4": Single({1: 0.55, 2: 0.42, 9: 0.03},
                     wijk={"Centrum": {1: 0.35}, "Havenkwartier": {1: 0.35}, "Buitengebied": {1: -0.45},
                           "Noordveld": {1: -0.1}}),
        "q5": Scale(3.1 if year == 2025 else 3.3, sd=1.0, age={"65+": -0.1},
                    wijk={"Havenkwartier": haven * 1.4, "Centrum": -0.25}, dk=0.04),
        "q6": Single({1: 0.28, 2: 0.38, 3: 0.27, 4: 0.07},
                     age={"18-34": {1: 0.15, 3: -0.08}, "65+": {1: 0.05, 4: -0.03}},
                     wijk={"Buitengebied": {1: -0.12, 3: 0.08, 4: 0.04}, "Centrum": {1: 0.12}}),
    })


MODELS: dict[tuple[str, str], SurveyModel] = {
    ("lindenhaven", "afval-2025"): afval_model(2025),
    ("lindenhaven", "afval-2026"): afval_model(2026),
    ("lindenhaven", "openbare-ruimte-2026"): SurveyModel(questions={
        "q1": Scale(3.35, age={"18-34": -0.1, "65+": 0.15},
                    wijk={"Havenkwartier": -0.35, "Lindenhof": 0.25, "Buitengebied": 0.1}),
        "q2": Scale(3.0, sd=1.0, age={"65+": -0.35, "18-34": 0.15},
                    wijk={"Centrum": -0.3, "Noordveld": 0.2, "Buitengebied": -0.2}),
        "q3": Scale(6.7, sd=1.2, age={"65+": 0.1}, wijk={"Havenkwartier": -0.6, "Lindenhof": 0.35}),
        "q4": Multi({1: 0.46, 2: 0.41, 3: 0.33, 4: 0.17, 5: 0.18, 6: 0.36, 7: 0.16},
                    age={"18-34": {4: 1.9, 7: 0.6, 1: 0.7}, "35-49": {4: 1.6}, "65+": {1: 1.4, 7: 1.8, 4: 0.5}},
                    wijk={"Havenkwartier": {2: 1.4, 3: 1.3}, "Buitengebied": {5: 1.6, 2: 0.7}},
                    max_choices=3),
        "q5": Single({1: 0.24, 2: 0.76}, age={"18-34": {1: -0.07}, "50-64": {1: 0.04}}),
        "q6": Scale(3.2, sd=1.15, mood=0.7, dk=0.03),
    }),
    ("brugwaard", "mantelzorg-2026"): SurveyModel(
        response_by_wijk={"Kleiwerd": 0.95},
        questions={
            "q1": Single({1: 0.19, 2: 0.78, 9: 0.03},
                         age={"18-34": {1: -0.1}, "50-64": {1: 0.12}, "65+": {1: 0.04}}),
            "q2": Number(9.0, spread=0.75, age={"65+": 1.6, "18-34": 0.7}, step=1, lo=1, hi=80),
            "q3": Multi({1: 0.15, 2: 0.55, 3: 0.08, 4: 0.12, 5: 0.11},
                        age={"18-34": {2: 1.3, 1: 0.2}, "65+": {1: 2.6, 2: 0.35}, "35-49": {3: 1.8}}),
            "q4": Scale(2.9, sd=1.0, age={"65+": 0.35, "35-49": 0.15, "18-34": -0.2}, mood=-0.4),
            "q5": Scale(6.3, sd=1.4, wijk={"Kleiwerd": -0.6, "Hoeveslag": -0.3}),
            "q6": Single({1: 0.12, 2: 0.46, 3: 0.42},
                         age={"18-34": {3: 0.2, 2: -0.15}, "65+": {1: 0.05}},
                         wijk={"Brugwaard": {2: 0.08}}),
            "q7": Scale(3.15, sd=1.0, age=AGREE_SUPPORT,
                        wijk={"Kleiwerd": -0.3, "Brugwaard": 0.15}, dk=0.06, dk_age={"18-34": 0.12}),
        }),
    ("brugwaard", "bereikbaarheid-2026"): SurveyModel(
        excel_nl=True,
        questions={
            "q1": Single({1: 0.14, 2: 0.33, 3: 0.44, 4: 0.02, 5: 0.03, 6: 0.04},
                         age={"65+": {2: 0.04, 4: 0.03, 5: 0.04, 6: 0.03, 3: -0.12}, "18-34": {3: 0.06, 2: -0.04}},
                         wijk={"Brugwaard": {1: 0.25, 2: 0.0, 3: -0.2}, "Kleiwerd": {1: -0.14, 3: 0.18},
                               "Hoeveslag": {1: -0.1, 3: 0.1}, "Eikelo": {1: -0.05}}),
            "q2": Number(2.5, spread=0.35, step=0.1, lo=0.1, hi=25,
                         wijk={"Brugwaard": 0.7, "Oosterdijk": 2.1, "Eikelo": 3.4, "Hoeveslag": 5.2, "Kleiwerd": 7.8}),
            "q3": Scale(2.6, sd=1.0, age={"65+": 0.2},
                        wijk={"Brugwaard": 0.45, "Kleiwerd": -0.7, "Hoeveslag": -0.4}, dk=0.22),
            "q4": Scale(3.0, sd=1.0, age={"65+": -0.35, "18-34": 0.25}, wijk={"Eikelo": -0.3}, dk=0.05,
                        dk_age={"65+": 0.05}),
            "q5": Scale(6.4, sd=1.3, wijk={"Brugwaard": 0.8, "Kleiwerd": -1.1, "Hoeveslag": -0.6}),
            "q6": Single({1: 0.14, 2: 0.27, 3: 0.55, 9: 0.04},
                         age={"65+": {1: 0.1, 3: -0.1}, "18-34": {1: 0.03}},
                         wijk={"Kleiwerd": {1: 0.12}, "Hoeveslag": {1: 0.08}}),
            "q7": Open(0.32, texts=[
                "De buurtbus zou ook op zaterdag moeten rijden.",
                "Een veilig fietspad langs de Dijkweg, nu rijden de auto's daar veel te hard.",
                "Meer bankjes bij de bushalte, dan kan ik beter wachten.",
                "Het café bij de halte is dicht. Een plek om te schuilen als het regent zou fijn zijn.",
                "Er rijdt maar één bus per uur. Twee zou al veel schelen.",
                "Betere verlichting op het fietspad naar school, in de winter is het erg donker.",
                "Een buurtbuskaart van €1 per rit voor ouderen.",
                "Graag een oplaadpunt voor de e-bike bij het dorpshuis.",
                "Meer ideeën van jongeren meenemen; zij hebben geen auto.",
                "De bus sluit niet goed aan op de trein in de stad, ik mis vaak de overstap.",
                "Tractors en vrachtwagens op de smalle wegen, dat voelt onveilig met kinderen.",
                "Ik ben tevreden, het gaat goed zoals het is.",
            ], by_wijk={
                "Kleiwerd": ["In Kleiwerd is geen winkel meer. Een bezorgdienst van de supermarkt zou helpen.",
                             "Café De Zwaan is weg, nu hebben we geen ontmoetingsplek en geen bushalte in de buurt."],
                "Hoeveslag": ["De weg naar Brugwaard is smal en er staat geen enkele lantaarnpaal."],
            }),
        }),
    ("heidebeek", "veiligheid-2026"): SurveyModel(questions={
        "q1": Scale(3.75, sd=0.85, age={"65+": -0.1}, sex={"vrouw": -0.12},
                    wijk={"Stationskwartier": -0.55, "Heideveld": -0.35, "Heikant": 0.3, "Bongerd": 0.2}),
        "q2": Scale(3.2, sd=0.95, age={"65+": -0.35, "18-34": 0.25}, sex={"vrouw": -0.35},
                    wijk={"Stationskwartier": -0.2}, dk=0.09, dk_age={"65+": 0.12}),
        "q3": Multi({1: 0.55, 2: 0.21, 3: 0.22, 4: 0.12, 5: 0.16, 6: 0.19, 7: 0.14},
                    age={"65+": {3: 1.3, 2: 1.2}, "18-34": {1: 0.8, 6: 1.4}},
                    wijk={"Stationskwartier": {4: 2.6, 3: 1.6, 5: 1.5}, "Heideveld": {3: 1.7, 4: 1.6},
                          "Heikant": {1: 1.25, 4: 0.3, 3: 0.5}, "Centrum": {5: 1.6}},
                    none=7),
        "q4": Scale(7.0, sd=1.2, sex={"vrouw": -0.15},
                    wijk={"Stationskwartier": -0.9, "Heideveld": -0.5, "Heikant": 0.5, "Bongerd": 0.3}),
        "q5": Single({1: 0.18, 2: 0.39, 3: 0.43},
                     age={"65+": {1: 0.1, 3: -0.1}, "18-34": {1: -0.09, 3: 0.12}},
                     wijk={"Heikant": {1: 0.1}, "Stationskwartier": {1: 0.06}}),
    }),
    ("heidebeek", "energie-2026"): SurveyModel(questions={
        "q1": Single({1: 0.58, 2: 0.28, 3: 0.11, 4: 0.03},
                     age={"18-34": {1: -0.25, 3: 0.17, 2: 0.06}, "65+": {1: 0.02, 2: 0.05}},
                     wijk={"Heideveld": {1: -0.25, 2: 0.25}, "Stationskwartier": {1: -0.2, 3: 0.15},
                           "Heikant": {1: 0.25, 2: -0.18}, "Bongerd": {1: 0.15}}),
        "q2": Multi({1: 0.86, 2: 0.47, 3: 0.36, 4: 0.78, 5: 0.41, 6: 0.09, 7: 0.03},
                    age={"18-34": {5: 0.55, 2: 0.7, 6: 0.6}, "65+": {6: 0.7, 5: 1.05}},
                    wijk={"Heikant": {5: 1.5, 6: 1.8}, "Heideveld": {5: 0.6, 2: 0.8}, "Centrum": {5: 0.5}},
                    none=7),
        "q3": Scale(3.0, sd=1.05, age={"18-34": 0.3, "35-49": 0.25, "65+": -0.55}, dk=0.07),
        "q4": Number(19.5, spread=0.0, normal_sd=1.1, step=0.5, lo=15, hi=24, age={"65+": 1.04, "18-34": 0.99}),
        "q5": Single({1: 0.11, 2: 0.37, 3: 0.52},
                     age={"18-34": {3: 0.14, 2: -0.1}, "50-64": {1: 0.04}}),
        "q6": Scale(6.2, sd=1.3, age={"18-34": -0.3, "65+": 0.2}),
    }),
    ("heidebeek", "eenzaamheid-2026"): SurveyModel(questions={
        "q1": Single({1: 0.47, 2: 0.41, 3: 0.09, 4: 0.03},
                     age={"65+": {1: 0.03, 4: 0.02}, "35-49": {2: 0.05, 1: -0.05}},
                     wijk={"Stationskwartier": {3: 0.04, 4: 0.02, 1: -0.06}}),
        "q2": Scale(2.2, sd=1.0, mood=-0.55, age={"18-34": 0.3, "65+": 0.2, "35-49": -0.15},
                    wijk={"Stationskwartier": 0.3, "Heideveld": 0.2, "Heikant": -0.2}, dk=0.04),
        "q3": Multi({1: 0.14, 2: 0.41, 3: 0.18, 4: 0.26, 5: 0.44, 6: 0.12, 7: 0.09},
                    age={"18-34": {5: 1.7, 1: 0.4, 3: 0.7}, "65+": {5: 0.15, 1: 2.1, 3: 1.8, 4: 1.4}},
                    wijk={"Heideveld": {1: 1.4}, "Heikant": {2: 1.2}},
                    none=7),
        "q4": Scale(6.8, sd=1.3, age={"18-34": -0.4, "65+": 0.25},
                    wijk={"Stationskwartier": -0.6, "Heikant": 0.4, "Bongerd": 0.3}),
        "q5": Single({1: 0.21, 2: 0.42, 3: 0.33, 9: 0.04}, age={"65+": {1: 0.08, 3: -0.05}, "35-49": {3: 0.06}}),
    }),
}


# --------------------------------------------------------------------------
# Survey responses
# --------------------------------------------------------------------------

FILTER = re.compile(r"\s*(q[a-z0-9_]+)\s*(==|!=|>=|<=|>|<|in)\s*(.+?)\s*$")


def passes(condition: str | None, answers: dict) -> bool:
    """The contract's filter syntax as far as the demo uses it: ``q1 == 1`` or ``q1 in [1, 2]``."""
    if not condition:
        return True
    m = FILTER.fullmatch(condition)
    if not m:
        raise SystemExit(f"unsupported filter: {condition!r}")
    qid, op, value = m.groups()
    got = answers.get(qid)
    if got is None:
        return False
    if op == "in":
        return got in yaml.safe_load(value)
    want = float(value)
    return {"==": got == want, "!=": got != want, ">=": got >= want, "<=": got <= want,
            ">": got > want, "<": got < want}[op]


def _adjusted(base: dict, shifts: list[dict], additive: bool) -> dict:
    p = dict(base)
    for shift in shifts:
        for code, d in shift.items():
            p[code] = p[code] + d if additive else p[code] * d
    return p


def answer(q: dict, model, person: Member, mood: float, rng: np.random.Generator):
    """One answer: an int code, a float, a str, a dict of 0/1 per option (multi), or None."""
    kind = q["type"]
    missing = list((q.get("missing") or {}).keys())
    if isinstance(model, Scale):
        dk = model.dk + model.dk_age.get(person.leeftijd, 0.0)
        if missing and rng.random() < dk:
            return missing[0]
        lo, hi = (1, 10) if kind == "grade" else (min(q["options"]), max(q["options"]))
        value = (model.mean + model.age.get(person.leeftijd, 0.0) + model.wijk.get(person.wijk, 0.0)
                 + model.sex.get(person.geslacht, 0.0)
                 + model.sd * (model.mood * mood + np.sqrt(max(0.0, 1 - model.mood ** 2)) * rng.normal()))
        return int(min(hi, max(lo, round(value))))
    if isinstance(model, Single):
        p = _adjusted(model.p, [model.age.get(person.leeftijd, {}), model.wijk.get(person.wijk, {})], True)
        codes = list(p)
        weights = np.clip(np.array([p[c] for c in codes], dtype=float), 0.002, None)
        return codes[rng.choice(len(codes), p=weights / weights.sum())]
    if isinstance(model, Multi):
        p = _adjusted(model.p, [model.age.get(person.leeftijd, {}), model.wijk.get(person.wijk, {})], False)
        options = [c for c in q["options"] if c != model.none]
        chosen = [c for c in options if rng.random() < min(0.98, p[c])]
        if model.max_choices and len(chosen) > model.max_choices:
            chosen = sorted(rng.choice(chosen, size=model.max_choices, replace=False).tolist())
        if not chosen and model.none is None:
            chosen = [max(options, key=lambda c: p[c] * rng.random())]
        picked = {c: int(c in chosen) for c in q["options"]}
        if model.none is not None:
            picked[model.none] = int(not chosen)
        return picked
    if isinstance(model, Number):
        centre = model.wijk.get(person.wijk, model.median) * model.age.get(person.leeftijd, 1.0)
        if model.normal_sd is not None:
            value = rng.normal(centre, model.normal_sd)
        else:
            value = centre * float(np.exp(rng.normal(0.0, model.spread)))
        value = min(model.hi, max(model.lo, round(value / model.step) * model.step))
        return round(value, 1)
    if isinstance(model, Open):
        if rng.random() >= model.p:
            return None
        texts = model.texts + model.by_wijk.get(person.wijk, []) * 3
        return texts[rng.integers(len(texts))]
    raise SystemExit(f"no answer model for question {q['id']}")


def columns(survey: dict, background: list[str]) -> list[str]:
    cols = ["respondent_id", *background]
    for q in survey["questions"]:
        if q["type"] == "multi":
            cols += [f"{q['id']}_{code}" for code in q["options"]]
        else:
            cols.append(q["id"])
    return cols


def _cell(value, excel_nl: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.1f}".removesuffix(".0") if value != int(value) else str(int(value))
        return text.replace(".", ",") if excel_nl else text
    return str(value)


def make_responses(slug: str, survey_id: str, survey: dict, members: list[Member],
                   background: list[str]) -> tuple[bytes, int]:
    model = MODELS[(slug, survey_id)]
    rng = rng_for(slug, survey_id)
    start = survey["fieldwork"]["start"]
    invited = [m for m in members if m.active_on(start)]
    rate = np.array([RESPONSE_BY_AGE[m.leeftijd] * model.response_by_wijk.get(m.wijk, 1.0) for m in invited])
    respondents = [m for m, r in zip(invited, rng.random(len(invited)) < rate) if r]
    order = rng.permutation(len(respondents))
    respondents = [respondents[i] for i in order]

    rows = []
    for number, person in enumerate(respondents, start=1):
        mood = rng.normal()
        answers: dict = {}
        row = [str(number), *(getattr(person, var) for var in background)]
        for q in survey["questions"]:
            value = None
            if passes(q.get("filter"), answers) and rng.random() >= model.nonresponse:
                value = answer(q, model.questions[q["id"]], person, mood, rng)
            if q["type"] == "multi":
                row += [_cell(value[c] if value else None, model.excel_nl) for c in q["options"]]
            else:
                answers[q["id"]] = value
                row.append(_cell(value, model.excel_nl))
        rows.append(row)

    out = io.StringIO()
    if model.excel_nl:
        # How Dutch Excel saves "CSV": semicolons, CRLF, Windows-1252, decimal comma.
        w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    else:
        w = csv.writer(out, lineterminator="\n")
    w.writerow(columns(survey, background))
    w.writerows(rows)
    return out.getvalue().encode("cp1252" if model.excel_nl else "utf-8"), len(invited)


# --------------------------------------------------------------------------

def generate(root: Path = ROOT, out: Path | None = None, check_invited: bool = True) -> list[Path]:
    """Write every generated file under ``out`` (default: ``root``); returns the paths written."""
    out = out or root
    written: list[Path] = []
    problems: list[str] = []
    for slug in PANELS:
        municipality = yaml.safe_load((root / "municipalities" / f"{slug}.yaml").read_text("utf-8"))
        population = {k: {str(c): n for c, n in v.items()} for k, v in municipality["population"].items()
                      if k not in ("source", "date")}
        background = list(population)
        members = make_members(slug, population)
        target = out / "content" / slug / "panel" / "members.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(members_csv(members))
        written.append(target)
        for survey_id in sorted(s for (m, s) in MODELS if m == slug):
            folder = Path("content") / slug / "surveys" / survey_id
            survey = yaml.safe_load((root / folder / "survey.yaml").read_text("utf-8"))
            data, invited = make_responses(slug, survey_id, survey, members, background)
            if check_invited and survey.get("invited") != invited:
                problems.append(f"{folder}/survey.yaml: invited is {survey.get('invited')}, "
                                f"but {invited} members were active on {survey['fieldwork']['start']}")
            target = out / folder / "responses.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
    if problems:
        raise SystemExit("\n".join(problems))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="write under this folder instead of the repository")
    parser.add_argument("--no-check-invited", action="store_true",
                        help="do not compare survey.yaml's invited with the member register")
    args = parser.parse_args(argv)
    for path in generate(ROOT, args.out, check_invited=not args.no_check_invited):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
