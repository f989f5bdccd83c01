"""build.py schema: JSON Schemas made from the build's own schemas accept what the build accepts and
refuse what it refuses, checked with the jsonschema package as editors check as staff type."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest

from panelsite.authoring import schemas
from panelsite.cli import main
from panelsite.config import schema as s
from panelsite.config.yamlfile import parse
from panelsite.engine.content import page_files, split_front_matter

REPO = Path(__file__).resolve().parents[2]
SLUGS = sorted(p.stem for p in (REPO / "municipalities").glob("*.yaml"))


def as_editor_sees(value):
    """YAML as JSON, the way an editor's YAML extension hands it to JSON Schema: keys are text and a
    date is text (JSON has no dates)."""
    if isinstance(value, dict):
        return {str(k): as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def validator(name: str) -> jsonschema.Draft202012Validator:
    item = next(i for i in schemas.INPUTS if i.name == name)
    return jsonschema.Draft202012Validator(schemas.document(item), format_checker=jsonschema.FormatChecker())


def schema_errors(name: str, yaml_text: str) -> list[str]:
    data = as_editor_sees(parse(yaml_text, "x.yaml").data or {})
    return [".".join(str(p) for p in e.absolute_path) + ": " + e.message for e in validator(name).iter_errors(data)]


def build_problems(name: str, yaml_text: str, base_dir: Path | None = None) -> list[str]:
    item = next(i for i in schemas.INPUTS if i.name == name)
    _, problems = s.validate(item.schema, parse(yaml_text, "x.yaml"), base_dir=base_dir)
    return [f"{p.key}: {p.message}" for p in problems]


def demo_inputs():
    """(schema, file, YAML text) of every input of the demo, and of the import.yaml examples in docs/import.md."""
    for path in sorted((REPO / "municipalities").glob("*.yaml")):
        yield "municipality", path, path.read_text(encoding="utf-8")
    for path in sorted((REPO / "content").glob("*/surveys/*/survey.yaml")):
        yield "survey", path, path.read_text(encoding="utf-8")
    for path in sorted((REPO / "content").glob("*/surveys/*/factsheet.md")):
        located, _, _ = split_front_matter(path.read_bytes(), str(path), required="highlights")
        yield "factsheet", path, located
    for slug in ["_shared", *SLUGS]:
        for source, _, _ in page_files(REPO, slug):
            located, _, _ = split_front_matter(source.read_bytes(), str(source))
            yield "page", source, located
    docs = (REPO / "docs" / "import.md").read_text(encoding="utf-8")
    for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", docs, re.S)):
        yield "import", Path(f"docs/import.md, example {i + 1}"), block


DEMO = list(demo_inputs())


def test_every_schema_is_valid_draft_2020_12():
    for item in schemas.INPUTS:
        document = schemas.document(item)
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(document)
        assert document["additionalProperties"] is False


def test_the_demo_has_every_kind_of_input():
    assert {kind for kind, _, _ in DEMO} == {i.name for i in schemas.INPUTS}


@pytest.mark.parametrize("kind, path, source", DEMO, ids=[f"{k}:{Path(p).name}" for k, p, _ in DEMO])
def test_every_demo_input_validates_against_its_schema(kind, path, source):
    located = source if not isinstance(source, str) else parse(source, str(path))
    errors = list(validator(kind).iter_errors(as_editor_sees(located.data or {})))
    assert errors == [], [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_every_option_carries_its_help_as_description():
    document = schemas.document(schemas.INPUTS[0])
    primary = document["properties"]["brand"]["properties"]["primary"]
    assert primary["description"] == "Main brand colour: header, buttons, links."
    assert primary["pattern"] == "^(?:#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})$"
    retention = document["properties"]["privacy"]["properties"]["retention"]["properties"]["unconfirmed_days"]
    assert (retention["minimum"], retention["maximum"], retention["default"]) == (1, 90, 14)
    assert document["properties"]["accessibility"]["properties"]["status"]["enum"] == ["A", "B", "C", "D"]
    assert document["properties"]["language"]["deprecated"] is True  # a removed key warns, it is not refused


MUNICIPALITY = (REPO / "tests" / "foundation" / "conftest.py").read_text(encoding="utf-8")
MUNICIPALITY = re.search(r'MUNICIPALITY = """\\\n(.*?)"""', MUNICIPALITY, re.S).group(1)

BAD_MUNICIPALITIES = [
    ("bad colour", 'primary: "#0b5394"', 'primary: "#12345"', "brand.primary"),
    ("unknown key", "panel_name:", "panel_nmae:", ""),
    ("unknown nested key", "    alt: Gemeente Teststad", "    alt: Gemeente Teststad\n    size: 40", "brand.logo"),
    ("bad URL", "https://panel.teststad.nl/", "panel.teststad.nl", "base_url"),
    ("bad e-mail address", "email: panel@teststad.nl", "email: panel-at-teststad", "contact.email"),
    ("missing required key", "  email: panel@teststad.nl\n", "  phone: 14 0123\n", "contact"),
    ("not in the choices", "status: C", "status: E", "accessibility.status"),
    ("not a date", "last_check: 2026-09-01", "last_check: gisteren", "accessibility.last_check"),
    ("list too short", "  purposes:\n    - Onderzoek\n", "  purposes: []\n", "privacy.purposes"),
    ("neither colour nor tokens", '  primary: "#0b5394"\n', "", "brand"),
    ("logo of the wrong type", "file: assets/logo.svg", "file: assets/logo.gif", "brand.logo.file"),
    ("a population variable with one category", "    18-39: 500\n    40+: 500\n", "    18+: 1000\n",
     "population.leeftijd"),
    ("a count that is not a whole number", "Noord: 600", "Noord: 9.800", "population.wijk.Noord"),
    ("a labelled category with an unknown key", "Noord: 600", "Noord: {count: 600, lable: Noord}",
     "population.wijk.Noord"),
    ("a theme that is already a fixed one", "population:", "themes:\n  afval: Afval\npopulation:", "themes"),
    ("a TOOI code of the wrong shape", "population:", "open_data:\n  tooi: '0363'\npopulation:", "open_data.tooi"),
    ("threshold below 5", "population:", "results:\n  min_n: 3\npopulation:", "results.min_n"),
    ("a form field name with capitals", "population:",
     "forms:\n  contact:\n    extra_fields:\n      - {name: Nieuwsbrief, type: checkbox, label: Ja}\npopulation:",
     "forms.contact.extra_fields.0.name"),
]


@pytest.mark.parametrize("name, old, new, key", BAD_MUNICIPALITIES, ids=[c[0] for c in BAD_MUNICIPALITIES])
def test_a_municipality_the_build_refuses_the_schema_refuses(name, old, new, key, tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert old in MUNICIPALITY
    text = MUNICIPALITY.replace(old, new, 1)
    assert build_problems("municipality", text, tmp_path), f"the build accepts {name}"
    errors = schema_errors("municipality", text)
    assert errors, f"the schema accepts {name}"
    assert any(e.split(":", 1)[0] == key for e in errors), errors


SURVEY = (REPO / "content" / "lindenhaven" / "surveys" / "afval-2026" / "survey.yaml").read_text(encoding="utf-8")
BAD_SURVEYS = [
    ("unknown question type", "type: scale", "type: schaal", "questions.0.type"),
    ("question id with an underscore", "- id: q1", "- id: q1_a", "questions.0.id"),
    ("nobody invited", re.search(r"invited: \d+", SURVEY).group(0), "invited: 0", "invited"),
    ("fieldwork without its end", ", end: 2026-03-16}", "}", "fieldwork"),
    ("a weight cap below 1", "cap: 5}", "cap: 0.5}", "weighting.cap"),
    ("unknown key", "title:", "titel: Afval\ntitle:", ""),
]


@pytest.mark.parametrize("name, old, new, key", BAD_SURVEYS, ids=[c[0] for c in BAD_SURVEYS])
def test_a_survey_the_build_refuses_the_schema_refuses(name, old, new, key):
    assert SURVEY.count(old) >= 1, old
    text = SURVEY.replace(old, new, 1)
    assert build_problems("survey", text), f"the build accepts {name}"
    errors = schema_errors("survey", text)
    assert any(e.split(":", 1)[0] == key for e in errors), errors


BAD_FRONT_MATTER = [
    ("page", "title: Over ons\ntemplate: Pagina.HTML\n", "template"),
    ("page", "title: Over ons\nnav_order: -1\n", "nav_order"),
    ("page", "title: Over ons\nform: nieuwsbrief\n", "form"),
    ("page", "title: Over ons\ndraft: misschien\n", "draft"),
    ("page", "description: geen titel\n", ""),
    ("page", "title: Over ons\nupdated: vorige week\n", "updated"),
    ("factsheet", "highlights: []\n", "highlights"),
    ("factsheet", "highlights:\n  - {question: q1, label: tevreden, stat: gemiddelde}\n", "highlights.0.stat"),
    ("factsheet", "highlights:\n  - {question: q1, label: x}\nmeasures:\n  - {title: A, status: done, "
                  "explanation: B, department: C}\n", "measures.0.status"),
    ("factsheet", "highlights:\n  - {question: q1, label: x}\nmeasures:\n  - {title: A, status: planned, "
                  "explanation: B, department: C, expected: Q3 2026}\n", "measures.0.expected"),
    ("import", "header_row: 0\n", "header_row"),
    ("import", "colums:\n  V1: q1\n", ""),
    ("import", "postcode:\n  column: pc\n", "postcode"),
]


@pytest.mark.parametrize("kind, text, key", BAD_FRONT_MATTER, ids=[f"{k}:{t.splitlines()[-1]}"
                                                                     for k, t, _ in BAD_FRONT_MATTER])
def test_front_matter_and_import_files_the_build_refuses_the_schema_refuses(kind, text, key):
    assert build_problems(kind, text), f"the build accepts {text!r}"
    errors = schema_errors(kind, text)
    assert any(e.split(":", 1)[0] == key for e in errors), errors


def test_schema_command_writes_every_schema(tmp_path, capsys):
    out = tmp_path / "schemas"
    assert main(["schema", "--root", str(REPO), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{i.name}.schema.json" for i in schemas.INPUTS)
    written = json.loads((out / "survey.schema.json").read_text(encoding="utf-8"))
    assert written == schemas.document(next(i for i in schemas.INPUTS if i.name == "survey"))
    assert "Wrote 5 JSON Schemas" in capsys.readouterr().out


def test_every_option_type_has_a_json_schema():
    """A new option type without json_schema() fails here, not in a staff member's editor."""
    seen = set()

    def walk(option):
        seen.add(type(option))
        option.json_schema()
        for child in getattr(option, "options", {}).values():
            walk(child)
        for attr in ("item", "value"):
            if isinstance(getattr(option, attr, None), s.Option):
                walk(getattr(option, attr))

    for item in schemas.INPUTS:
        walk(item.schema)
    assert {s.Str, s.Int, s.Float, s.Bool, s.Choice, s.Date, s.Url, s.Email, s.Color, s.FilePath, s.ListOf,
            s.DictOf, s.Mapping} <= seen


def test_the_vscode_setup_in_the_docs_names_every_yaml_schema_with_its_files():
    docs = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
    block = re.search(r'```json\n(\{\n  "yaml\.schemas".*?)```', docs, re.S).group(1)
    assert json.loads(block)["yaml.schemas"] == {f"./schemas/{i.file_name}": i.files
                                                  for i in schemas.INPUTS if not i.front_matter}
