"""The demo data: generated deterministically and consistent with the authored survey.yaml files."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEMO = ("lindenhaven", "brugwaard", "heidebeek")
CP1252_SURVEY = ROOT / "content/brugwaard/surveys/bereikbaarheid-2026/responses.csv"
SITE_DATE = date(2026, 11, 28)


def _load_script():
    spec = importlib.util.spec_from_file_location("make_demo_data", ROOT / "scripts/make_demo_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return _load_script()


@pytest.fixture(scope="module")
def generated(script, tmp_path_factory):
    """Generate everything twice into two temporary folders."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    files = script.generate(ROOT, first)
    script.generate(ROOT, second)
    return first, second, [f.relative_to(first) for f in files]


def surveys():
    """Surveys with results (every one except a round still collecting online)."""
    return [p for p in all_surveys() if not in_fieldwork(p)]


def all_surveys():
    return sorted((ROOT / "content").glob("*/surveys/*/survey.yaml"))


def in_fieldwork(survey_path: Path) -> bool:
    survey = yaml.safe_load(survey_path.read_text("utf-8"))
    return bool(survey.get("collect")) and not (survey_path.parent / "responses.csv").exists()


def read_responses(path: Path) -> tuple[list[str], list[dict]]:
    raw = path.read_bytes()
    if path == CP1252_SURVEY:
        text, delimiter = raw.decode("cp1252"), ";"
    else:
        text, delimiter = raw.decode("utf-8"), ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    return reader.fieldnames, rows


def test_generation_is_deterministic(generated):
    first, second, files = generated
    assert files, "the script wrote nothing"
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_committed_files_match_the_script(generated):
    first, _, files = generated
    for rel in files:
        committed = ROOT / rel
        assert committed.is_file(), f"{rel} is missing; run python scripts/make_demo_data.py"
        assert committed.read_bytes() == (first / rel).read_bytes(), (
            f"{rel} differs from the script's output; run python scripts/make_demo_data.py")


def test_every_demo_survey_has_data_and_a_factsheet():
    for slug in DEMO:
        found = [p for p in sorted((ROOT / "content" / slug / "surveys").glob("*/survey.yaml")) if not in_fieldwork(p)]
        assert 2 <= len(found) <= 3, slug
        for survey in found:
            assert (survey.parent / "responses.csv").is_file()
            assert (survey.parent / "factsheet.md").is_file()


@pytest.mark.parametrize("survey_path", surveys(), ids=lambda p: f"{p.parts[-4]}/{p.parts[-2]}")
def test_columns_match_survey_definition(survey_path):
    survey = yaml.safe_load(survey_path.read_text("utf-8"))
    municipality = yaml.safe_load((ROOT / "municipalities" / f"{survey_path.parts[-4]}.yaml").read_text("utf-8"))
    population = {k: v for k, v in municipality["population"].items() if k not in ("source", "date")}
    expected = ["respondent_id", *population]
    for q in survey["questions"]:
        if q["type"] == "multi":
            expected += [f"{q['id']}_{code}" for code in q["options"]]
        else:
            expected.append(q["id"])
    header, rows = read_responses(survey_path.parent / "responses.csv")
    assert header == expected
    assert 200 <= len(rows) <= 5000
    for row in rows:
        for variable, categories in population.items():
            assert row[variable] in {str(c) for c in categories}, (variable, row[variable])
    # answer codes are declared options or missing codes; filtered questions are blank outside the filter
    for q in survey["questions"]:
        allowed = {str(c) for c in [*(q.get("options") or {}), *(q.get("missing") or {})]}
        if q["type"] in ("single", "scale"):
            assert {r[q["id"]] for r in rows} - {""} <= allowed, q["id"]
        if q["type"] == "grade":
            assert {r[q["id"]] for r in rows} - {""} <= {str(i) for i in range(1, 11)}, q["id"]
        if q["type"] == "multi":
            for code in q["options"]:
                assert {r[f"{q['id']}_{code}"] for r in rows} <= {"0", "1", ""}


def test_a_round_collecting_online_is_in_fieldwork_and_under_embargo():
    collecting = [p for p in all_surveys() if in_fieldwork(p)]
    assert [p.parts[-2] for p in collecting] == ["dorpshuizen", "mobiliteit-2026"]
    upcoming = yaml.safe_load(collecting[0].read_text("utf-8"))
    assert SITE_DATE < upcoming["fieldwork"]["start"] <= upcoming["fieldwork"]["end"] < upcoming["publish_on"]
    survey = yaml.safe_load(collecting[1].read_text("utf-8"))
    assert survey["fieldwork"]["start"] <= SITE_DATE <= survey["fieldwork"]["end"] < survey["publish_on"]
    assert {q["type"] for q in survey["questions"]} == {"single", "scale", "multi", "grade", "number", "open"}
    assert any(q.get("filter") for q in survey["questions"])


def test_invited_matches_member_register(script):
    for survey_path in all_surveys():
        slug = survey_path.parts[-4]
        survey = yaml.safe_load(survey_path.read_text("utf-8"))
        with open(ROOT / "content" / slug / "panel" / "members.csv", encoding="utf-8", newline="") as f:
            members = list(csv.DictReader(f))
        start = survey["fieldwork"]["start"].isoformat()
        active = [m for m in members if m["joined"] <= start and (not m["left"] or m["left"] > start)]
        assert survey["invited"] == len(active), survey_path
        if not in_fieldwork(survey_path):
            _, rows = read_responses(survey_path.parent / "responses.csv")
            assert len(rows) < survey["invited"]


def test_member_registers():
    for slug in DEMO:
        path = ROOT / "content" / slug / "panel" / "members.csv"
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
        assert reader.fieldnames == ["member_id", "leeftijd", "geslacht", "wijk", "joined", "left"]
        assert len({r["member_id"] for r in rows}) == len(rows)
        assert any(r["left"] for r in rows) and any(not r["left"] for r in rows)
        for r in rows:
            date.fromisoformat(r["joined"])
            if r["left"]:
                assert date.fromisoformat(r["left"]) > date.fromisoformat(r["joined"])
        # older residents over-represented, young ones under-represented, as in real panels
        municipality = yaml.safe_load((ROOT / "municipalities" / f"{slug}.yaml").read_text("utf-8"))
        ages = municipality["population"]["leeftijd"]
        active = [r for r in rows if not r["left"]]
        share = lambda group: sum(r["leeftijd"] == group for r in active) / len(active)  # noqa: E731
        assert share("18-34") < ages["18-34"] / sum(ages.values())
        assert share("65+") > ages["65+"] / sum(ages.values())


def test_windows_1252_semicolon_file():
    raw = CP1252_SURVEY.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "\r\n" in text
    header = text.split("\r\n", 1)[0]
    assert header.startswith("respondent_id;") and "," not in header
    assert "café" in text.lower() and "één" in text and "€" in text
    _, rows = read_responses(CP1252_SURVEY)
    assert any("," in r["q2"] for r in rows), "expected decimal commas in the number question"


def test_other_files_are_utf8_comma():
    for survey_path in surveys():
        path = survey_path.parent / "responses.csv"
        if path == CP1252_SURVEY:
            continue
        header = path.read_bytes().decode("utf-8").split("\n", 1)[0]
        assert header.startswith("respondent_id,")


def test_publication_dates_show_one_embargo():
    future = []
    for survey_path in surveys():
        survey = yaml.safe_load(survey_path.read_text("utf-8"))
        assert survey["fieldwork"]["start"] < survey["fieldwork"]["end"] <= survey["publish_on"]
        if survey["publish_on"] > SITE_DATE:
            future.append(survey_path.parts[-2])
    assert future == ["eenzaamheid-2026"]


def test_factsheets_cover_every_measure_status():
    statuses, follow_ups = set(), 0
    for survey_path in surveys():
        text = (survey_path.parent / "factsheet.md").read_text("utf-8")
        front = yaml.safe_load(text.split("---\n")[1])
        statuses |= {m["status"] for m in front.get("measures", [])}
        follow_ups += len(front.get("follow_up") or [])
    assert statuses == {"taken", "planned", "investigating", "not possible"}
    assert follow_ups >= 1
