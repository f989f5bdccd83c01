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
        if rel == ".panelsite/inputs" or rel.startswith(".panelsite/inputs/"):
            # what a site was built from (engine/uptodate.py): rewritten with the site that was built
            # beside the broken one; the sites themselves and their manifests are compared
            continue
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


MERGE_BOMB = "a: &a {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8, r: 9}\n" + "".join(
    f"b{i}: &b{i} {{<<: *{prev}, " + ", ".join(f"k{i}{k}: *{prev}" for k in "abcdefgh") + "}\n"
    for i, prev in enumerate(["a", "b0", "b1", "b2", "b3", "b4", "b5"]))
THEME_PAGE = REPO / "themes/default/templates/page.html"


def _own_page_template(old: str, new: str):
    """teststad's own page.html: the default one with ``old`` replaced."""
    return lambda p: p.write("themes/teststad/templates/page.html", THEME_PAGE.read_text().replace(old, new))


def _logo(name: str, data: bytes):
    return lambda p: (p.write(f"municipalities/assets/{name}", data),
                      p.edit(TESTSTAD, "file: assets/logo.svg", f"file: assets/{name}"))


def _png(width: int, height: int) -> bytes:
    """A PNG header claiming ``width`` × ``height`` pixels (as a decompression bomb does), nothing after."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IEND", b""))


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()


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
    ("division by zero in the PDF factsheet's template",
     lambda p: p.write("themes/teststad/templates/pdf/factsheet.html", (
         REPO / "themes/default/templates/pdf/factsheet.html").read_text().replace("{{", "{{ 1 / 0 }}{{", 1)),
     1, ["themes/teststad/templates/pdf/factsheet.html:7: template error while rendering "
         "teststad/resultaten/buurt-2026/factsheet/: ZeroDivisionError: division by zero (expected the template to "
         "work for every page it renders)"], ONE),
    ("a filter on the wrong type in the factsheet e-mail",
     lambda p: p.write("themes/teststad/templates/email/factsheet.txt", "{{ site.name | round }}\n"),
     1, ["themes/teststad/templates/email/factsheet.txt:1: template error while rendering "
         "teststad/resultaten/buurt-2026/factsheet-email.txt: TypeError: type str doesn't define __round__ method "
         "(expected the template to work for every page it renders)"], ONE),
    ("an undefined name in the paper form's PDF template",
     lambda p: p.write("themes/teststad/templates/forms/paper_pdf.html", "{{ formulier.velden[0] }}\n"),
     1, ['themes/teststad/templates/forms/paper_pdf.html:1: while rendering teststad/doe-mee/papier/aanmelden.pdf: '
         'unknown variable "formulier" (expected a name the template is given; check the spelling)'], ONE),
    ("division by zero in the home page's template",
     lambda p: p.write("themes/teststad/templates/home.html", '{% extends "base.html" %}\n{% block main %}'
                       "{{ 1 // 0 }}{% endblock %}\n"),
     1, ["themes/teststad/templates/home.html:2: template error while rendering teststad/: ZeroDivisionError: "
         "integer division or modulo by zero (expected the template to work for every page it renders)"], ONE),
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
    ("a macro that calls itself",
     _own_page_template("<h1>{{ page.title }}</h1>", "{% macro f() %}{{ f() }}{% endmacro %}<h1>{{ f() }}</h1>"),
     1, ["themes/teststad/templates/page.html:4: this never ends: a macro calls itself, directly or through others, "
         "every time (expected a macro that stops calling itself; while rendering teststad/contact/)"], ONE),
    ("an include loop through two partials",
     lambda p: (p.write("themes/teststad/templates/partials/a.html", '{% include "partials/b.html" %}\n'),
                p.write("themes/teststad/templates/partials/b.html", 'B\n{% include "partials/a.html" %}\n'),
                _own_page_template("<h1>{{ page.title }}</h1>", '<h1>{% include "partials/a.html" %}</h1>')(p)),
     1, ["themes/teststad/templates/partials/a.html:1: include loop: partials/a.html → partials/b.html → "
         "partials/a.html (a template that includes itself, directly or through others, never ends; expected each "
         "include to lead to a template without it; while rendering teststad/contact/)"], ONE),
    ("a page template that extends itself",
     lambda p: p.write("themes/teststad/templates/page.html", '{% extends "page.html" %}\n'),
     1, ["themes/teststad/templates/page.html:1: extends loop: page.html → page.html (a template that extends "
         "itself, directly or through others, never ends; expected each extends to lead to a template without it; "
         "while rendering teststad/contact/)"], ONE),
    ("an unknown attribute in a template",
     _own_page_template("<h1>{{ page.title }}</h1>", "<h1>{{ page.titel.upper() }}</h1>"),
     1, ['themes/teststad/templates/page.html:4: while rendering teststad/contact/: unknown attribute "titel" '
         "(expected a name the value has; check the spelling)"], ONE),
    ("an include of a missing template by a name computed at runtime",
     _own_page_template("<h1>{{ page.title }}</h1>", "<h1>{% include page.title ~ '.html' %}</h1>"),
     1, ['themes/teststad/templates/page.html:4: template "Contact.html" not found in themes/teststad/templates or '
         'themes/default/templates (did you mean "factsheet.html"?) (while rendering teststad/contact/)'], ONE),
    ("a page naming a template that does not exist",
     lambda p: p.write("content/teststad/nieuws.md", "---\ntitle: Nieuws\ntemplate: nieuws.html\n---\nTekst.\n"),
     1, ['content/teststad/nieuws.md:3: template: template "nieuws.html" not found in themes/teststad/templates or '
         'themes/default/templates (did you mean "results.html"?) (expected a page template such as page.html)'], ONE),
    ("a number answer of 1e999999999 (decimal.InvalidOperation before)",
     lambda p: p.edit(CSV, "\n7,", "\n7,40+,Zuid,4,1e999999999,\n7777,"),
     1, [f'{CSV}: row 8: q2: "1e999999999" is not a number (expected a number like 12,5)'], ONE),
    ("a 40-digit count in survey.yaml (decimal.InvalidOperation before)",
     lambda p: p.edit(f"{SURVEY}/survey.yaml", "invited: 400", "invited: " + "9" * 40),
     1, [f"{SURVEY}/survey.yaml:4: invited: 9999999999999999999999999999999999999999 is beyond 1,000,000,000 either "
         "way, more than any panel counts (expected a whole number of at least 1)"], ONE),
    ("a 5,000-digit number in YAML (more than Python reads)",
     lambda p: p.edit(f"{SURVEY}/survey.yaml", "invited: 400", "invited: " + "9" * 5000),
     1, [f'{SURVEY}/survey.yaml:4: invited: "999999999999999999999999…" is a number of 5,000 digits (expected a '
         "number of a few digits)"], ONE),
    ("population counts beyond any panel",
     lambda p: (p.edit(TESTSTAD, "Noord: 600", "Noord: " + "9" * 30), p.edit(TESTSTAD, "Zuid: 400", "Zuid: 1e30")),
     1, ["municipalities/teststad.yaml:30: population.wijk.Noord: 999999999999999999999999999999 is beyond "
         "1,000,000,000 either way, more than any panel counts (expected a whole number of at least 0)",
         'municipalities/teststad.yaml:31: population.wijk.Zuid: "1e30" is not a whole number (expected a whole '
         "number of at least 0)"], ONE),
    ("a page under assets/ (recursed before)",
     lambda p: p.write("content/teststad/assets/css.md", "---\ntitle: Stijl\n---\nTekst.\n"),
     1, ["content/teststad/assets/css.md:2: the address assets/css/ is inside assets/, the folder of the style "
         "sheets, scripts and images the site makes itself (expected another file name for this page)"], ONE),
    ("a page on the address of the search index",
     lambda p: p.write("content/teststad/pagefind.md", "---\ntitle: Zoek\n---\nTekst.\n"),
     1, ["content/teststad/pagefind.md:2: the address pagefind/ is inside pagefind/, the folder of the search index "
         "the site makes itself (expected another file name for this page)"], ONE),
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
    ("an HTML file named as an SVG logo",
     _logo("logo2.svg", b"<html><body>Logo</body></html>"),
     1, ['municipalities/teststad.yaml:8: brand.logo.file: "assets/logo2.svg" is not an SVG image: its root element '
         'is <html> (expected <svg> with xmlns="http://www.w3.org/2000/svg") (expected a path to an existing '
         "svg/png/jpg/jpeg/webp file)"], ONE),
    ("an SVG logo with a script",
     _logo("logo2.svg", b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/>'
                        b"<script>alert(document.cookie)</script></svg>"),
     1, ['municipalities/teststad.yaml:8: brand.logo.file: "assets/logo2.svg" is an SVG image with a <script> '
         "element, which runs code (expected a plain image: save it again without) (expected a path to an existing "
         "svg/png/jpg/jpeg/webp file)"], ONE),
    ("an SVG logo that expands entities a billion times",
     _logo("logo2.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
                        + b"".join(b'<!ENTITY %s "%s">' % (b"a" * (i + 2), (b"&" + b"a" * (i + 1) + b";") * 10)
                                   for i in range(8))
                        + b'<!ENTITY end "x">]><svg xmlns="http://www.w3.org/2000/svg"><text>&aaaaaaaaa;</text></svg>'),
     1, ['municipalities/teststad.yaml:8: brand.logo.file: "assets/logo2.svg" is not an SVG image: not XML (limit on '
         "input amplification factor (from DTD and entities) breached: line 1, column 793) (expected a path to an "
         "existing svg/png/jpg/jpeg/webp file)"], ONE),
    ("a JPEG named as a PNG logo",
     _logo("logo.png", _jpeg()),
     1, ['municipalities/teststad.yaml:8: brand.logo.file: "assets/logo.png" is a JPEG image with a .png name '
         "(expected the file type its name says) (expected a path to an existing svg/png/jpg/jpeg/webp file)"], ONE),
    ("a PNG logo whose header claims 400 million pixels",
     _logo("logo.png", _png(20000, 20000)),
     1, ['municipalities/teststad.yaml:8: brand.logo.file: "assets/logo.png" is too large an image to read safely '
         "(expected a logo or icon of at most a few thousand pixels wide) (expected a path to an existing "
         "svg/png/jpg/jpeg/webp file)"], ONE),
    ("a favicon that is not an image",
     lambda p: (p.write("municipalities/assets/favicon.ico", "geen icoon"),
                p.edit(TESTSTAD, "  logo:\n", "  favicon: assets/favicon.ico\n  logo:\n")),
     1, ['municipalities/teststad.yaml:7: brand.favicon: "assets/favicon.ico" is not an ICO image: the image library '
         "cannot read it (expected a path to an existing svg/png/ico file)"], ONE),
    ("population totals of the variables weighted by that disagree",
     lambda p: p.edit(TESTSTAD, "Noord: 600", "Noord: 700"),
     1, ["municipalities/teststad.yaml:29: population.wijk: the counts add up to 1,100, those of leeftijd to 1,000: "
         "9.1% apart (expected every variable weighted by (leeftijd, wijk) to count the same population, within 1%: "
         "otherwise weighting changes every weighted figure)"], ONE),
    ("a 5 MB tagline",
     lambda p: p.edit(TESTSTAD, "panel_name: Teststad Panel\n", "panel_name: Teststad Panel\ntagline: "
                      + "Lang verhaal. " * 380000 + "\n"),
     1, ["municipalities/teststad.yaml:3: tagline: is 5,319,999 characters long (expected at most 300)"], ONE),
    ("a 500,000-character answer label",
     lambda p: p.edit(f"{SURVEY}/survey.yaml", "1: Zeer ontevreden", "1: " + "Zeer " * 100000),
     1, [f"{SURVEY}/survey.yaml:13: questions.0.options.1: is 499,999 characters long (expected a label of at most "
         "2,000)"], ONE),
    ("a 5,000-character page title",
     lambda p: p.write("content/teststad/nieuws.md", "---\ntitle: " + "Nieuws " * 1000 + "\n---\nTekst.\n"),
     1, ["content/teststad/nieuws.md:2: title: is 6,999 characters long (expected at most 200)"], ONE),
    ("a 5,000-character population category",
     lambda p: p.edit(TESTSTAD, "Noord: 600", "Noord" * 1000 + ": 600"),
     1, ["municipalities/teststad.yaml:30: invalid YAML in «" + "Noord" * 15 + "No…»: this key is 5,000 characters "
         "long, and YAML reads keys of at most 1,024; write a short key (YAML: mapping values are not allowed in this "
         "context)"], ONE),
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
    ("a YAML alias bomb in survey.yaml",
     lambda p: p.write(f"{SURVEY}/survey.yaml", SURVEY_YAML + BOMB),
     1, [f"{SURVEY}/survey.yaml:22: the aliases (*name) in this file expand it to more than 100,000 values (expected "
         "each value written out, or aliases used a few times)"], ONE),
    ("a YAML alias bomb in a page's front matter",
     lambda p: p.write("content/teststad/nieuws.md", "---\ntitle: Nieuws\n" + BOMB + "---\nTekst.\n"),
     1, ["content/teststad/nieuws.md:4: the aliases (*name) in this file expand it to more than 100,000 values "
         "(expected each value written out, or aliases used a few times)"], ONE),
    ("a YAML bomb of merge keys",
     lambda p: p.write(TESTSTAD, MUNICIPALITY + MERGE_BOMB),
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
    ("a responses.csv separated by spaces",
     lambda p: p.write(CSV, p.path(CSV).read_text().replace(",", " ")),
     1, [f"{CSV}: row 1: the columns are separated by a space (expected ; or , or a tab, as a spreadsheet saves CSV: "
         "save the file again as CSV, or replace the separators)"], ONE),
    ("a responses.csv saved as UTF-16 without its mark",
     lambda p: p.write(CSV, p.path(CSV).read_text().encode("utf-16-le")),
     1, [f'{CSV}: row 1: holds a NUL byte (0x00), which no CSV text has: saved as UTF-16 ("Unicode text") without its '
         'mark, or not a CSV file (expected a CSV export saved as "CSV UTF-8")'], ONE),
    ("a NUL byte in a cell of responses.csv",
     lambda p: p.write(CSV, p.path(CSV).read_bytes().replace(b"\n5,", b"\n5\x00,")),
     1, [f'{CSV}: row 6: holds a NUL byte (0x00), which no CSV text has: saved as UTF-16 ("Unicode text") without its '
         'mark, or not a CSV file (expected a CSV export saved as "CSV UTF-8")'], ONE),
    ("a spreadsheet saved under the name responses.csv",
     lambda p: p.write(CSV, b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4),
     1, [f'{CSV}: is a spreadsheet file (Excel or LibreOffice) with a .csv name, not text (expected the answers saved '
         'from the spreadsheet as "CSV UTF-8 (comma delimited)")'], ONE),
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


# The cases that ended in a traceback from the worker pool (issue 24's first point), and the bomb.
POOL_CASES = ["division by zero in a shared template", "division by zero in the PDF factsheet's template", "a filter on the wrong type in a municipality's template",
              "a filter on the wrong type in a page expression", "division by zero in a factsheet",
              "an include of a missing template from a page", "an include of a missing template from a theme template",
              "a page template that includes itself", "a theme partial that includes itself",
              "an include loop through two partials", "a macro that calls itself", "extends of a missing template",
              "a number answer of 1e999999999 (decimal.InvalidOperation before)",
              "a 40-digit count in survey.yaml (decimal.InvalidOperation before)", "a 400-digit number answer",
              "a 25-digit number answer", "a page under assets/ (recursed before)", "a YAML alias bomb"]


@pytest.mark.parametrize("name", POOL_CASES)
def test_the_worker_pool_reports_the_same_and_leaves_no_stage(built, capsys, name):
    _, breakage, exit_code, messages, last = next(c for c in CASES if c[0] == name)
    before = tree(built.out)
    breakage(built)
    code, reported, err = built.run(capsys, "build", jobs=2)
    assert (code, reported) == (exit_code, messages)
    assert err.splitlines()[-1].endswith(last)
    assert_untouched(built, before)


@pytest.mark.parametrize("name", POOL_CASES + ["a PNG logo whose header claims 400 million pixels",
                                               "a responses.csv saved as UTF-16 without its mark"])
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
    # the patched code is not in the sites' fingerprints: forget them, or both sites stand up to date
    shutil.rmtree(built.out / ".panelsite" / "inputs")
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
    built.write("themes/teststad/templates/partials/tocc.html", "{# een eigen inhoudsopgave #}\n")
    code, reported, _ = built.run(capsys, "build")
    assert code == 0 and reported == []
    warnings = [line for line in built.stdout.splitlines() if line.startswith("warning: themes/")]
    assert warnings == [
        'warning: themes/teststadd: no municipality "teststadd" (did you mean "teststad"?), so no site uses this theme '
        "(expected themes/<slug> of a municipalities/<slug>.yaml)",
        'warning: themes/teststad/templates/pagee.html: not used: it replaces no template of themes/default (did you '
        'mean "page.html"?), and no page names it in template: nor any template includes it',
        'warning: themes/teststad/templates/partials/tocc.html: not used: it replaces no template of themes/default '
        '(did you mean "partials/toc.html"?), and no page names it in template: nor any template includes it',
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


def test_population_totals_within_the_tolerance_are_weighted_by(built, capsys):
    """0.5% apart (rounded figures from two registers) is accepted; 1.5% is not."""
    built.edit(TESTSTAD, "Noord: 600", "Noord: 605")
    assert built.run(capsys, "build")[0] == 0
    built.edit(TESTSTAD, "Noord: 605", "Noord: 615")
    code, reported, _ = built.run(capsys, "build")
    assert code == 1 and reported == [
        "municipalities/teststad.yaml:29: population.wijk: the counts add up to 1,015, those of leeftijd to 1,000: "
        "1.5% apart (expected every variable weighted by (leeftijd, wijk) to count the same population, within 1%: "
        "otherwise weighting changes every weighted figure)"]


def test_a_header_only_responses_csv_is_not_called_missing(built, capsys):
    built.write(CSV, "respondent_id,leeftijd,wijk,q1,q2,q3\n")
    code, reported, _ = built.run(capsys, "build")
    assert code == 1 and len(reported) == 1 and "no respondents" in reported[0]
    assert "warning" not in built.stdout and "ontbreekt" not in built.stdout


def test_yaml_aliases_used_a_few_times_still_work(built, capsys):
    """The bound is on what aliases expand to, not on aliases: an address written once and reused is fine."""
    built.edit(TESTSTAD, "  email: panel@teststad.nl", "  email: &adres panel@teststad.nl")
    built.edit(TESTSTAD, "email: toegankelijkheid@teststad.nl", "email: *adres")
    assert built.run(capsys, "build")[0] == 0
    assert "panel@teststad.nl" in (built.out / "teststad" / "toegankelijkheid" / "index.html").read_text()
