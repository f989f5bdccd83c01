"""Issue 24: bad input from a careless or hostile editor is one precise error, never a traceback;
``dist/`` stays byte for byte as it was, with no stage (``dist/.<slug>.build-*``) left behind.

The project has two municipalities built once (teststad with a survey and a factsheet, and
andersdorp), so each case also shows that one municipality's problem leaves the other's site
as it was, and that a problem in a file both are made from writes neither. Each test starts
from a copy of that built project (hard links kept, as a real ``dist/`` has them).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from pathlib import Path

import pytest

from panelsite.cli import main

from .conftest import MUNICIPALITY, PAGES, REPO

TESTSTAD = "municipalities/teststad.yaml"
ANDERSDORP = "municipalities/andersdorp.yaml"
SURVEY = "content/teststad/surveys/buurt-2026"
CSV = f"{SURVEY}/responses.csv"

SURVEY_YAML = """\
title: Buurtonderzoek 2026
theme: leefbaarheid
fieldwork: {start: 2026-03-02, end: 2026-03-16}
invited: 400
publish_on: 2026-04-15
summary: Wat vinden inwoners van hun buurt?
weighting: {by: [leeftijd, wijk], cap: 5}
questions:
  - id: q1
    text: Hoe tevreden bent u over uw buurt?
    type: scale
    subject: de buurt
    options: {1: Zeer ontevreden, 2: Ontevreden, 3: Neutraal, 4: Tevreden, 5: Zeer tevreden}
  - id: q2
    text: Hoeveel kilometer fietst u per week?
    type: number
    unit: km
  - id: q3
    text: Wat wilt u nog kwijt?
    type: open
"""

FACTSHEET = """\
---
title: Wat u vond van de buurt
highlights:
  - {question: q1, codes: [4, 5], label: "is tevreden over de buurt"}
---
{{ pct("q1", [4, 5]) }} van de inwoners is tevreden over de buurt.
"""


def responses() -> str:
    rng = random.Random(24)
    rows = ["respondent_id,leeftijd,wijk,q1,q2,q3"]
    for i in range(1, 121):
        rows.append(f"{i},{rng.choice(['18-39', '40+'])},{rng.choice(['Noord', 'Zuid'])},{rng.randint(1, 5)},"
                    f"{rng.randint(0, 80)},{'1' if i % 3 == 0 else ''}")
    return "\n".join(rows) + "\n"


def make_project(root: Path) -> None:
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    (root / "municipalities" / "assets").mkdir(parents=True)
    shutil.copy(REPO / "municipalities" / "assets" / "lindenhaven-logo.svg", root / "municipalities" / "assets" / "logo.svg")
    (root / TESTSTAD).write_text(MUNICIPALITY, encoding="utf-8")
    other = MUNICIPALITY.replace("Teststad", "Andersdorp").replace("teststad", "andersdorp")
    (root / ANDERSDORP).write_text(other, encoding="utf-8")
    for name, text in PAGES.items():
        path = root / "content" / "_shared" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    survey = root / SURVEY
    survey.mkdir(parents=True)
    (survey / "survey.yaml").write_text(SURVEY_YAML, encoding="utf-8")
    (survey / "responses.csv").write_text(responses(), encoding="utf-8")
    (survey / "factsheet.md").write_text(FACTSHEET, encoding="utf-8")


def copy_linked(source: Path, target: Path) -> None:
    """A copy of a tree in which files hard-linked together stay linked (dist/'s blobs)."""
    copied: dict[tuple[int, int], Path] = {}
    target.mkdir(parents=True)
    for path in sorted(source.rglob("*")):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(exist_ok=True)
            continue
        info = path.stat()
        key = (info.st_dev, info.st_ino)
        if key in copied:
            os.link(copied[key], dest)
        else:
            shutil.copy2(path, dest)
            copied[key] = dest


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and the hash of its bytes; every folder too (a stage is one)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
    return out


class Built:
    def __init__(self, root: Path):
        self.root = root
        self.out = root / "dist"

    def path(self, relative: str) -> Path:
        return self.root / relative

    def write(self, relative: str, text: str | bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    def edit(self, relative: str, old: str, new: str) -> None:
        text = self.path(relative).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        self.write(relative, text.replace(old, new, 1))

    def run(self, capsys, *args: str, jobs: int = 1) -> tuple[int, list[str], str]:
        code = main([*args, "--root", str(self.root), "--out", str(self.out), "--jobs", str(jobs)])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        self.stdout = out
        return code, [line.removeprefix("error: ") for line in err.splitlines() if line.startswith("error: ")], err


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    make_project(root)
    assert main(["build", "--root", str(root), "--out", str(root / "dist"), "--jobs", "1"]) == 0
    return root


@pytest.fixture
def built(baseline, tmp_path) -> Built:
    copy_linked(baseline, tmp_path / "project")
    return Built(tmp_path / "project")


def assert_untouched(built: Built, before: dict[str, str]) -> None:
    after = tree(built.out)
    assert [p for p in after if ".build-" in p or ".old-" in p] == [], "a stage was left in dist/"
    assert after == before, "dist/ changed"


# --------------------------------------------------------------------------
# the cases: (name, what breaks, exit code, the errors, the last line)

ONE = "skipped teststad (the previous site is left as it was); built andersdorp."
NONE = "nothing was written."
BOMB = "bomb: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"b{i}: &b{i} [{', '.join([f'*{prev}'] * 9)}]\n" for i, prev in enumerate(["a", "b0", "b1", "b2", "b3", "b4", "b5"]))


def _cp_broken(p: Built) -> None:
    data = p.path(CSV).read_bytes()
    at = data.index(b"\n", 200) + 1
    p.write(CSV, data[:at] + b"1,40+,Noord,3,\x81\x8d,\n" + data[at:])  # bytes no encoding reads


CASES = [
    # -- tracebacks before: runtime errors, missing and looping includes, huge numbers
    ("division by zero in a shared template",
     lambda p: p.edit("themes/default/templates/page.html", "<h1>{{ page.title }}</h1>",
                      "<h1>{{ page.title }} {{ 1 / 0 }}</h1>"),
     1, ["themes/default/templates/page.html:4: template error while rendering andersdorp/contact/ (and the same "
         "page of 1 other site): ZeroDivisionError: division by zero (expected the template to work for every page "
         "it renders)"], NONE),
    ("a filter on the wrong type in a municipality's template",
     lambda p: p.write("themes/teststad/templates/page.html",
                       (REPO / "themes/default/templates/page.html").read_text().replace(
                           "<h1>{{ page.title }}</h1>", "<h1>{{ page.title | round }}</h1>")),
     1, ["themes/teststad/templates/page.html:4: template error while rendering teststad/contact/: TypeError: type "
         "str doesn't define __round__ method (expected the template to work for every page it renders)"], ONE),
    ("a filter on the wrong type in a page expression",
     lambda p: p.write("content/teststad/nieuws.md", "---\ntitle: Nieuws\n---\nDe naam: {{ site.name | round }}.\n"),
     1, ["content/teststad/nieuws.md:4: cannot compute «De naam: {{ site.name | round }}.»: TypeError: type str "
         "doesn't define __round__ method (expected an expression that works, like {{ site.name }})"], ONE),
    ("division by zero in a factsheet",
     lambda p: p.edit(f"{SURVEY}/factsheet.md", "over de buurt.\n", "over de buurt. {{ 1 / 0 }}\n"),
     1, [f"{SURVEY}/factsheet.md:6: cannot compute «{{{{ pct(\"q1\", [4, 5]) }}}} van de inwoners is tevreden over de "
         "buurt. {{ 1 / 0 }}»: ZeroDivisionError: division by zero (expected an expression that works, like "
         "{{ site.name }})"], ONE),
    ("an include of a missing template from a page",
     lambda p: p.write("content/teststad/nieuws.md", "---\ntitle: Nieuws\n---\nTekst.\n\n{% include \"nieuws.html\" %}\n"),
     1, ['content/teststad/nieuws.md:6: {% include %}, {% extends %} and {% import %} cannot be used in Markdown '
         '«{% include "nieuws.html" %}» (expected the text itself; a page can name a theme template with template: '
         "in its front matter)"], ONE),
    ("an include of a missing template from a theme template",
     lambda p: p.write("themes/teststad/templates/page.html",
                       (REPO / "themes/default/templates/page.html").read_text().replace(
                           '"partials/toc.html"', '"partials/tocc.html"')),
     1, ['themes/teststad/templates/page.html:5: template "partials/tocc.html" not found in themes/teststad/templates '
         'or themes/default/templates (did you mean "partials/toc.html"?) (while rendering teststad/contact/)'], ONE),
    ("a page template that includes itself",
     lambda p: (p.write("themes/teststad/templates/eigen.html", '{% extends "page.html" %}\n{% block after_body %}'
                        '{% include "eigen.html" %}{% endblock %}\n'),
                p.write("content/teststad/eigen.md", "---\ntitle: Eigen\ntemplate: eigen.html\n---\nTekst.\n")),
     1, ["themes/teststad/templates/eigen.html:2: include loop: eigen.html → eigen.html (a template that includes "
         "itself, directly or through others, never ends; expected each include to lead to a template without it; "
         "while rendering teststad/eigen/)"], ONE),
    ("a theme partial that includes itself",
     lambda p: p.edit("themes/default/templates/partials/toc.html", "{%", '{% include "partials/toc.html" %}{%'),
     1, ["themes/default/templates/partials/toc.html:1: include loop: partials/toc.html → partials/toc.html (a "
         "template that includes itself, directly or through others, never ends; expected each include to lead to a "
         "template without it; while rendering andersdorp/contact/ (and the same page of 1 other site))"], NONE),
    ("a 400-digit number answer",
     lambda p: p.edit(CSV, "\n5,", "\n5,18-39,Noord,3," + "9" * 400 + ",\n5555,"),
     1, [f'{CSV}: row 6: q2: "999999999999999999999999…" is not a finite number (expected a number like 12,5)'], ONE),
    ("--out naming an existing file",
     lambda p: p.write("notities.txt", "oud"),
     2, ['--out: "notities.txt" is a file, not a folder (expected a folder for the sites, like dist)'], NONE),
    # -- accepted in silence before
    ("a text file named as an SVG logo",
     lambda p: p.write("municipalities/assets/logo.svg", "Dit is geen plaatje.\n"),
     2, ['municipalities/andersdorp.yaml:8: brand.logo.file: "assets/logo.svg" is not an SVG image: not XML (syntax '
         "error: line 1, column 0) (expected a path to an existing svg/png/jpg/jpeg/webp file)",
         'municipalities/teststad.yaml:8: brand.logo.file: "assets/logo.svg" is not an SVG image: not XML (syntax '
         "error: line 1, column 0) (expected a path to an existing svg/png/jpg/jpeg/webp file)"], NONE),
    ("a text file named as a PNG logo",
     lambda p: (p.write("municipalities/assets/logo.png", "Dit is geen plaatje.\n"),
                p.edit(TESTSTAD, "file: assets/logo.svg", "file: assets/logo.png")),
     1, ['municipalities/teststad.yaml:8: brand.logo.file: "assets/logo.png" is not a PNG image: the image library '
         "cannot read it (expected a path to an existing svg/png/jpg/jpeg/webp file)"], ONE),
    ("population totals of the variables weighted by that disagree",
     lambda p: p.edit(TESTSTAD, "Noord: 600", "Noord: 700"),
     1, ["municipalities/teststad.yaml:29: population.wijk: the counts add up to 1,100, those of leeftijd to 1,000: "
         "9.1% apart (expected every variable weighted by (leeftijd, wijk) to count the same population, within 1%: "
         "otherwise weighting changes every weighted figure)"], ONE),
    ("a 5 MB tagline",
     lambda p: p.edit(TESTSTAD, "panel_name: Teststad Panel\n", "panel_name: Teststad Panel\ntagline: "
                      + "Lang verhaal. " * 380000 + "\n"),
     1, ["municipalities/teststad.yaml:3: tagline: is 5,319,999 characters long (expected at most 300)"], ONE),
    ("a header-only responses.csv",
     lambda p: p.write(CSV, "respondent_id,leeftijd,wijk,q1,q2,q3\n"),
     1, [f"{CSV}: no respondents: the file has a header row and nothing under it (expected a row per respondent; "
         "until the answers are in, leave responses.csv out and the results page says they follow)"], ONE),
    ("a 25-digit number answer",
     lambda p: p.edit(CSV, "\n7,", "\n7,40+,Zuid,4,1234567890123456789012345,\n7777,"),
     1, [f'{CSV}: row 8: q2: "123456789012345678901234…" is out of range (expected a number from -1,000,000,000 to '
         "1,000,000,000; other limits: min and max of q2 in survey.yaml)"], ONE),
    # -- YAML without a bound
    ("a YAML alias bomb",
     lambda p: p.write(TESTSTAD, MUNICIPALITY + BOMB),
     1, ["municipalities/teststad.yaml:33: the aliases (*name) in this file expand it to more than 100,000 values "
         "(expected each value written out, or aliases used a few times)"], ONE),
    ("a YAML alias inside its own anchor",
     lambda p: p.write(TESTSTAD, MUNICIPALITY + "lus: &lus [1, *lus]\n"),
     1, ["municipalities/teststad.yaml:32: an alias (*name) here refers to a value it is part of, which never ends "
         "(expected an alias of a value written before it)"], ONE),
    ("YAML nested 100,000 levels deep",  # libyaml's composer would overflow the C stack: a crash, no message
     lambda p: p.write(TESTSTAD, MUNICIPALITY + "diep: " + "[" * 100000 + "]" * 100000 + "\n"),
     1, ["municipalities/teststad.yaml:32: brackets [ { nested deeper than 64 levels (expected a file as the "
         "documentation shows it, a few levels deep)"], ONE),
    # -- less precise before
    ("a responses.csv with another delimiter",
     lambda p: p.write(CSV, p.path(CSV).read_text().replace(",", "|")),
     1, [f'{CSV}: row 1: the columns are separated by "|" (expected ; or , or a tab, as a spreadsheet saves CSV: '
         "save the file again as CSV, or replace the separators)"], ONE),
    ("a responses.csv neither UTF-8 nor Windows-1252",
     _cp_broken,
     1, [f"{CSV}: row 11: is neither UTF-8 nor Windows-1252 text: byte 0x81 is no character in either (expected a "
         'CSV export from a spreadsheet or survey tool, saved as "CSV UTF-8")'], ONE),
    ("a page on the address of a generated page",
     lambda p: p.write("content/teststad/resultaten.md", "---\ntitle: Onze resultaten\n---\nTekst.\n"),
     1, ["content/teststad/resultaten.md:2: the address resultaten/ is taken by the results-index.html page the site "
         "makes itself (expected another file name for this page)"], ONE),
    ("extends of a missing template",
     lambda p: p.write("themes/teststad/templates/page.html", '{% extends "basis.html" %}\n'),
     1, ['themes/teststad/templates/page.html:1: template "basis.html" not found in themes/teststad/templates or '
         'themes/default/templates (did you mean "base.html"?) (while rendering teststad/contact/)'], ONE),
    ("a wrong category in the population figures",
     lambda p: p.edit(TESTSTAD, "Noord: 600", "Noordd: 600"),
     1, ['municipalities/teststad.yaml:30: population.wijk.Noordd: no respondent has the category "Noordd", but 63 '
         f'rows of {CSV} have "Noord" (expected the category as the survey data name it: Noord; or, if the figures '
         "are right, the survey data corrected)"], ONE),
    # -- one municipality's error does not stop the other (issue 17.2)
    ("a broken YAML in one municipality",
     lambda p: p.edit(TESTSTAD, "name: Teststad", "name: [Teststad"),
     1, ["municipalities/teststad.yaml:1: invalid YAML in «name: [Teststad»: the [ that starts this value is not "
         'closed; a value that starts with [ is a list: end it with ], or, to keep it as text, put the whole value in '
         'quotes: name: "[Teststad" (YAML: did not find expected \',\' or \']\')'], ONE),
    ("a stray responses.xlsx",
     lambda p: p.write(f"{SURVEY}/responses.xlsx", b"PK\x03\x04"),
     1, [f"{SURVEY}/responses.xlsx: a spreadsheet file, which panelsite does not read (expected the answers saved "
         'from the spreadsheet as "CSV UTF-8 (comma delimited)" under the name responses.csv)'], ONE),
    ("a link to a page under embargo",
     lambda p: (p.edit(f"{SURVEY}/survey.yaml", "publish_on: 2026-04-15", "publish_on: 2099-01-01"),
                p.write("content/teststad/nieuws.md", "---\ntitle: Nieuws\n---\nLees [de uitkomsten]"
                                                       "(/resultaten/buurt-2026/).\n")),
     1, ['content/teststad/nieuws.md:4: broken internal link "/resultaten/buurt-2026/" (no page at that path)'], ONE),
    ("a broken shared page",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: [Contact\n---\nTekst.\n"),
     2, ["content/_shared/contact.md:2: invalid YAML in «title: [Contact»: the [ that starts this value is not "
         'closed; a value that starts with [ is a list: end it with ], or, to keep it as text, put the whole value in '
         'quotes: title: "[Contact" (YAML: did not find expected \',\' or \']\')'], NONE),
]


@pytest.mark.parametrize("name,breakage,exit_code,messages,last", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_precise_error_and_dist_stays_as_it_was(built, capsys, name, breakage, exit_code, messages,
                                                                  last):
    before = tree(built.out)
    breakage(built)
    args = ("--out", str(built.root / "notities.txt")) if name.startswith("--out") else ()
    code = main(["build", "--root", str(built.root), "--out", str(built.out), "--jobs", "1", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    reported = [line.removeprefix("error: ") for line in err.splitlines() if line.startswith("error: ")]
    assert reported == messages
    assert err.splitlines()[-1].endswith(last)
    assert code == exit_code
    assert_untouched(built, before)


@pytest.mark.parametrize("name", ["division by zero in a shared template", "a filter on the wrong type in a "
                                  "municipality's template", "a 400-digit number answer", "a YAML alias bomb"])
def test_the_worker_pool_reports_the_same_and_leaves_no_stage(built, capsys, name):
    _, breakage, exit_code, messages, last = next(c for c in CASES if c[0] == name)
    before = tree(built.out)
    breakage(built)
    code, reported, err = built.run(capsys, "build", jobs=2)
    assert (code, reported) == (exit_code, messages)
    assert err.splitlines()[-1].endswith(last)
    assert_untouched(built, before)


@pytest.mark.parametrize("name", ["division by zero in a shared template", "a page template that includes itself",
                                  "a filter on the wrong type in a page expression", "a 400-digit number answer"])
def test_check_reports_the_same_and_writes_nothing(built, capsys, name):
    _, breakage, _, messages, _ = next(c for c in CASES if c[0] == name)
    before = tree(built.out)
    breakage(built)
    code, reported, err = built.run(capsys, "check", jobs=2)
    assert code in (1, 2) and reported == messages
    last = err.splitlines()[-1]
    assert last.startswith(f"{len(messages)} problem")
    assert ("a build would skip teststad and write the other sites" in last) != ("a build would write no site" in last)
    assert_untouched(built, before)


def test_a_crash_outside_any_template_is_an_internal_error_naming_the_code(built, capsys, monkeypatch):
    """A bug in panelsite itself: one line naming where, the other site still built, no stage."""
    from panelsite.results import family

    real = family._card

    def broken(survey):
        if survey.id == "buurt-2026":
            raise KeyError("oeps")
        return real(survey)

    monkeypatch.setattr(family, "_card", broken)
    before = tree(built.out)
    code, reported, err = built.run(capsys, "build")
    assert code == 1
    assert len(reported) == 1 and reported[0].startswith("panelsite/results/family.py:")
    assert "internal error while building teststad: KeyError: 'oeps' (a bug in panelsite" in reported[0]
    assert_untouched(built, before)


def test_a_misspelt_theme_override_is_a_warning_with_a_hint(built, capsys):
    built.write("themes/teststad/templates/pagee.html", (REPO / "themes/default/templates/page.html").read_text())
    built.write("themes/teststad/static/css/extra.ccs", "a { color: red }\n")
    built.write("themes/teststadd/templates/page.html", "x")
    code, reported, _ = built.run(capsys, "build")
    assert code == 0 and reported == []
    warnings = [line for line in built.stdout.splitlines() if line.startswith("warning: themes/")]
    assert warnings == [
        'warning: themes/teststadd: no municipality "teststadd" (did you mean "teststad"?), so no site uses this theme '
        "(expected themes/<slug> of a municipalities/<slug>.yaml)",
        'warning: themes/teststad/templates/pagee.html: not used: it replaces no template of themes/default (did you '
        'mean "page.html"?), and no page names it in template: nor any template includes it',
        'warning: themes/teststad/static/css/extra.ccs: replaces no file of themes/default (did you mean '
        '"css/extra.css"?): it is copied to assets/css/extra.ccs as it is',
    ]


def test_strict_writes_no_site_when_one_has_a_problem(built, capsys):
    before = tree(built.out)
    built.edit(TESTSTAD, "name: Teststad", "name: [Teststad")
    code = main(["build", "--strict", "--root", str(built.root), "--out", str(built.out), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.splitlines()[-1] == "1 problem found; nothing was written."
    assert_untouched(built, before)


def test_the_valid_site_is_written_while_the_broken_one_keeps_its_previous_site(built, capsys):
    """A change to andersdorp is published although teststad is broken; teststad's site stays as it was."""
    before = tree(built.out)
    built.edit("municipalities/andersdorp.yaml", "panel_name: Andersdorp Panel", "panel_name: Andersdorp Spreekt")
    built.edit(TESTSTAD, "name: Teststad", "name: [Teststad")
    code, reported, err = built.run(capsys, "build")
    assert code == 1 and len(reported) == 1
    assert err.splitlines()[-1] == ("1 problem found; skipped teststad (the previous site is left as it was); "
                                    "built andersdorp.")
    after = tree(built.out)
    assert {p: h for p, h in after.items() if p.startswith("teststad/")} == {
        p: h for p, h in before.items() if p.startswith("teststad/")}
    assert "Andersdorp Spreekt" in (built.out / "andersdorp" / "index.html").read_text(encoding="utf-8")
    assert [p for p in after if ".build-" in p] == []


def test_text_fields_have_a_sane_maximum(built, capsys):
    built.edit(TESTSTAD, "name: Teststad", "name: " + "Teststad" * 20)
    built.edit(TESTSTAD, "alt: Gemeente Teststad", "alt: " + "Gemeente " * 300)
    code, reported, _ = built.run(capsys, "build")
    assert code == 1
    assert reported == ["municipalities/teststad.yaml:1: name: is 160 characters long (expected at most 100)",
                        "municipalities/teststad.yaml:9: brand.logo.alt: is 2,699 characters long (expected at most "
                        "250)"]


def test_infinity_in_a_number_option_is_refused(built, capsys):
    built.edit(f"{SURVEY}/survey.yaml", "cap: 5", "cap: .inf")
    code, reported, _ = built.run(capsys, "build")
    assert code == 1
    assert reported == [f'{SURVEY}/survey.yaml:7: weighting.cap: ".inf" is not a finite number (expected a number of '
                        "at least 1, like 5)"]


def test_a_number_question_takes_its_own_bounds(built, capsys):
    built.edit(f"{SURVEY}/survey.yaml", "    unit: km\n", "    unit: km\n    min: 0\n    max: 50\n")
    code, reported, _ = built.run(capsys, "build")
    assert code == 1 and reported[0].startswith(f"{CSV}: row ")
    assert "is outside the range of q2 in survey.yaml (expected a number from 0 to 50)" in reported[0]
    built.edit(f"{SURVEY}/survey.yaml", "    max: 50\n", "    max: 80\n")
    assert built.run(capsys, "build")[0] == 0
