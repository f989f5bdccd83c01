"""Bad input gives one precise message per problem, the right exit code and no output."""

from __future__ import annotations

import pytest

CFG = "municipalities/teststad.yaml"


def _dup_slug(p):
    p.write("municipalities/teststad.yml", p.config.read_text())


CASES = [
    ("bad colour",
     lambda p: p.edit(CFG, 'primary: "#0b5394"', 'primary: "#12345"'),
     2, ['municipalities/teststad.yaml:5: brand.primary: "#12345" is not valid (expected a hex colour like #1a5f8e)']),
    ("missing logo file",
     lambda p: p.edit(CFG, "file: assets/logo.svg", "file: assets/gone.svg"),
     2, ['municipalities/teststad.yaml:8: brand.logo.file: file "assets/gone.svg" does not exist '
         "(expected a path to an existing svg/png/jpg/jpeg/webp file)"]),
    ("unknown key with a hint",
     lambda p: p.edit(CFG, "panel_name:", "panel_nmae:"),
     2, ['municipalities/teststad.yaml:1: panel_name: is required (expected text)',
         'municipalities/teststad.yaml:2: panel_nmae: unknown key (did you mean "panel_name"?)']),
    ("bad URL",
     lambda p: p.edit(CFG, "https://panel.teststad.nl/", "panel.teststad.nl"),
     2, ['municipalities/teststad.yaml:3: base_url: "panel.teststad.nl" is not a valid URL '
         "(expected an absolute http(s) URL like https://panel.example.nl/)"]),
    ("duplicate slug", _dup_slug,
     2, ['municipalities/teststad.yml: duplicate slug "teststad" (also defined in municipalities/teststad.yaml)']),
    ("wrong type",
     lambda p: p.write(CFG, p.config.read_text() + "results:\n  min_n: tien\n"),
     2, ['municipalities/teststad.yaml:33: results.min_n: "tien" is not a whole number '
         "(expected a whole number from 5 to 100)"]),
    ("suppression threshold below 5",
     lambda p: p.write(CFG, p.config.read_text() + "results:\n  min_n: 3\n"),
     2, ["municipalities/teststad.yaml:33: results.min_n: 3 is out of range (expected a whole number from 5 to 100)"]),
    ("low contrast without auto_adjust",
     lambda p: p.edit(CFG, 'primary: "#0b5394"', 'primary: "#f5a800"'),
     2, ["municipalities/teststad.yaml:5: brand.primary: links (primary colour): #f5a800 on #ffffff has contrast "
         "2.00:1, needs 4.5:1 (nearest compliant colour: #9f6d00; or set brand.auto_adjust: true)"]),
    ("invalid YAML syntax",
     lambda p: p.edit(CFG, "name: Teststad", "name: [Teststad"),
     2, ["municipalities/teststad.yaml:1: invalid YAML in «name: [Teststad»: the [ that starts this value is not "
         'closed; a value that starts with [ is a list: end it with ], or, to keep it as text, put the whole value in '
         'quotes: name: "[Teststad" (YAML: did not find expected \',\' or \']\')']),
    ("duplicate key",
     lambda p: p.write(CFG, p.config.read_text() + "name: Nogmaals\n"),
     2, ["municipalities/teststad.yaml:32: name: duplicate key"]),
    ("bad e-mail address",
     lambda p: p.edit(CFG, "email: panel@teststad.nl", "email: panel-at-teststad"),
     2, ['municipalities/teststad.yaml:11: contact.email: "panel-at-teststad" is not valid '
         "(expected an e-mail address like panel@gemeente.nl)"]),
    ("unknown accessibility status",
     lambda p: p.edit(CFG, "status: C", "status: E"),
     2, ['municipalities/teststad.yaml:18: accessibility.status: "E" is not allowed (expected one of A, B, C, D)']),
    ("status B without known issues, on automatic checks",
     lambda p: p.edit(CFG, "status: C", "status: B"),
     2, ["municipalities/teststad.yaml:17: accessibility.research_by: status B needs research of every WCAG criterion "
         "by an expert (WCAG-EM); automatic checks alone support status C (expected who did the research, like: "
         "Bureau X, WCAG-EM, 2026)",
         "municipalities/teststad.yaml:18: accessibility.status: status B means the site partly complies: list what "
         "fails (expected known_issues with criterion, problem, cause, effect, measure and fix_by)"]),
    ("status A on old research",
     lambda p: p.edit(CFG, "status: C\n  last_check: 2026-09-01", "status: A\n  last_check: 2020-09-01\n"
                      "  research_by: Bureau X (WCAG-EM)"),
     2, ["municipalities/teststad.yaml:19: accessibility.last_check: research from 2020-09-01 is more than three "
         "years old and no longer supports status A (expected new research, or status C)"]),
    ("bad date",
     lambda p: p.edit(CFG, "last_check: 2026-09-01", "last_check: gisteren"),
     2, ['municipalities/teststad.yaml:19: accessibility.last_check: "gisteren" is not a date '
         "(expected a date like 2026-03-31)"]),
    ("impossible date",
     lambda p: p.edit(CFG, "last_check: 2026-09-01", "last_check: 2026-13-01"),
     2, ['municipalities/teststad.yaml:19: accessibility.last_check: "2026-13-01" is not a valid value '
         "(month must be in 1..12)"]),
    ("negative population count",
     lambda p: p.edit(CFG, "18-39: 500", "18-39: -5"),
     2, ["municipalities/teststad.yaml:27: population.leeftijd.18-39: -5 is out of range "
         "(expected a whole number of at least 0)"]),
    ("broken internal link in Markdown",
     lambda p: p.edit("content/_shared/over-het-panel.md", "(/contact/)", "(/kontakt/)"),
     2, ['content/_shared/over-het-panel.md:19: broken internal link "/kontakt/" (no page at that path)']),
    ("front matter not closed",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: Contact\nTekst zonder einde.\n"),
     2, ["content/_shared/contact.md:1: the front matter that starts here is not closed (expected a line '---' "
         "after the YAML block, before the text)"]),
    ("no front matter",
     lambda p: p.write("content/_shared/contact.md", "Contact\n\nTekst.\n"),
     2, ["content/_shared/contact.md:1: missing front matter (expected the file to start with '---', "
         "a YAML block with at least 'title:', and '---')"]),
    ("page date that is not a date",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: Contact\nupdated: 20-11-2026\n---\nTekst.\n"),
     2, ['content/_shared/contact.md:3: updated: "20-11-2026" is not a date (expected a date like 2026-03-31)']),
    ("page date that does not exist",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: Contact\nupdated: \"2026-11-31\"\n---\nTekst.\n"),
     2, ['content/_shared/contact.md:3: updated: "2026-11-31" is not a date (expected a date like 2026-03-31)']),
    ("two pages for one address",
     lambda p: p.write("content/_shared/contact/index.md", "---\ntitle: Contact\n---\nTekst.\n"),
     2, ["content/_shared/contact.md: a second page for the address contact/ (also made by "
         "content/_shared/contact/index.md; expected one file per page)"]),
    ("page name with a space",
     lambda p: p.write("content/_shared/nieuwe pagina.md", "---\ntitle: Nieuw\n---\nTekst.\n"),
     2, ['content/_shared/nieuwe pagina.md: "nieuwe pagina" cannot be part of a web address (expected lowercase '
         'letters, digits and hyphens, like "nieuwe-pagina")']),
    ("page name in capitals",
     lambda p: p.write("content/_shared/Nieuws.MD", "---\ntitle: Nieuws\n---\nTekst.\n"),
     2, ['content/_shared/Nieuws.MD: the file name ends in ".MD" (expected ".md" in lowercase)']),
    ("malformed front matter",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: [Contact\n---\nTekst.\n"),
     2, ["content/_shared/contact.md:2: invalid YAML in «title: [Contact»: the [ that starts this value is not "
         'closed; a value that starts with [ is a list: end it with ], or, to keep it as text, put the whole value in '
         'quotes: title: "[Contact" (YAML: did not find expected \',\' or \']\')']),
    ("front matter without title",
     lambda p: p.write("content/_shared/contact.md", "---\ndescription: Iets\n---\nTekst.\n"),
     2, ["content/_shared/contact.md:2: title: is required (expected text)"]),
    ("unknown front matter key",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: Contact\nnav_ordr: 3\n---\nTekst.\n"),
     2, ['content/_shared/contact.md:3: nav_ordr: unknown key (did you mean "nav_order"?)']),
    ("unknown variable in Markdown",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: Contact\n---\nTekst.\n\n{{ site.nmae }}\n"),
     2, ['content/_shared/contact.md:6: unknown variable "nmae" (did you mean "name"?)']),
    ("page saved in Windows-1252, not UTF-8",
     lambda p: (p.root / "content/_shared/contact.md").write_bytes("---\ntitle: Contact\n---\nTekst.\n\nOok per caf\u00e9.\n".encode("cp1252")),
     2, ["content/_shared/contact.md:6: not UTF-8 text (invalid continuation byte at byte 42; expected the file saved as UTF-8)"]),
    ("unknown template",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: Contact\ntemplate: kontakt.html\n---\nTekst.\n"),
     2, ['content/_shared/contact.md:3: template: template "kontakt.html" not found in themes/teststad/templates or '
         "themes/default/templates (expected a page template such as page.html)"]),
    ("misspelt template",
     lambda p: p.write("content/_shared/contact.md", "---\ntitle: Contact\ntemplate: privacyy.html\n---\nTekst.\n"),
     2, ['content/_shared/contact.md:3: template: template "privacyy.html" not found in themes/teststad/templates or '
         'themes/default/templates (did you mean "privacy.html"?) (expected a page template such as page.html)']),
]


@pytest.mark.parametrize("name,breakage,exit_code,messages", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_precisely(project, capsys, name, breakage, exit_code, messages):
    breakage(project)
    code, err = project.run("build", capsys=capsys)
    reported = [line.removeprefix("error: ") for line in err.splitlines() if line.startswith("error: ")]
    assert reported == messages
    assert code == exit_code
    assert not project.out.joinpath("teststad").exists(), "a failed build must write nothing"


def test_at_least_fifteen_bad_inputs_are_covered():
    assert len(CASES) >= 15


def test_all_problems_are_reported_in_one_run(project, capsys):
    project.edit(CFG, 'primary: "#0b5394"', 'primary: "red"')
    project.edit(CFG, "status: C", "status: Z")
    project.edit(CFG, "panel_name:", "panelname:")
    code, err = project.run("build", capsys=capsys)
    assert code == 2
    assert err.count("error: ") == 4  # colour, status, unknown key, missing panel_name
    assert "4 problems found; nothing was written." in err


def test_failed_build_leaves_previous_site_untouched(project, capsys):
    assert project.run("build", capsys=capsys)[0] == 0
    home = project.out / "teststad" / "index.html"
    before = home.read_bytes()
    project.edit("content/_shared/index.md", "Welkom bij", "Hallo {{ site.onbekend }} bij")
    code, _ = project.run("build", capsys=capsys)
    assert code == 2
    assert home.read_bytes() == before
    project.edit("content/_shared/index.md", "Hallo {{ site.onbekend }} bij", "Hallo bij")
    project.edit("content/_shared/over-het-panel.md", "(/contact/)", "(/weg/)")
    code, _ = project.run("build", capsys=capsys)
    assert code == 2  # a broken link is found after rendering: still nothing replaced
    assert home.read_bytes() == before
    leftovers = [p.name for p in project.out.iterdir() if p.name.startswith(".teststad")]
    assert leftovers == []


def test_check_writes_nothing(project, capsys):
    code = project.run("check", capsys=capsys)[0]
    assert code == 0
    assert not project.out.exists() or not (project.out / "teststad").exists()


def test_auto_adjust_uses_nearest_compliant_colour_and_warns(project, capsys):
    project.edit(CFG, 'primary: "#0b5394"', 'primary: "#f5a800"\n  auto_adjust: true')
    code = project.run("build", capsys=capsys)[0]
    assert code == 0
    assert ("warning: municipalities/teststad.yaml:5: brand.primary: links (primary colour): #f5a800 on #ffffff "
            "has contrast 2.00:1, needs 4.5:1; using nearest compliant colour #9f6d00") in project.stdout
    css = (project.out / "teststad" / "assets" / "css" / "site.css").read_text()
    assert "--ps-brand-primary: #9f6d00;" in css
    assert "#f5a800" not in css


def test_a_build_date_that_is_not_a_timestamp(project, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "gisteren")
    code, err = project.run("build", capsys=capsys)
    assert code == 2 and "Traceback" not in err
    assert 'error: SOURCE_DATE_EPOCH: "gisteren" is not a build date (expected whole seconds since 1970' in err


def test_a_base_url_without_https_is_one_clear_error(project, capsys):
    code, err = project.run("build", "--base-url", "preview.example.nl", capsys=capsys)
    assert code == 2
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        'error: --base-url: "preview.example.nl" is not a valid URL (expected an absolute http(s) URL like '
        "https://preview.example.nl/pr-12/{slug}/)"]


def test_an_unquoted_page_date_is_a_date(project, capsys):
    project.write("content/_shared/contact.md", "---\ntitle: Contact\nupdated: 2026-11-20\n---\nTekst.\n")
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    assert "Bijgewerkt op 20 november 2026" in (project.out / "teststad" / "contact" / "index.html").read_text()


def test_a_build_removes_what_an_interrupted_build_left(project, capsys):
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        project.out.mkdir(parents=True)
        for name in (f".teststad.build-{gone.pid}-x1y2", f".teststad.old-{gone.pid}", f".teststad.build-{running.pid}-z3"):
            (project.out / name).mkdir()
            (project.out / name / "index.html").write_text("half")
        assert project.run("build", capsys=capsys)[0] == 0
        left = sorted(p.name for p in project.out.iterdir() if p.name.startswith("."))
        # the stage of a build that still runs (beside this one) is its own
        assert f".teststad.build-{running.pid}-z3" in left
        assert not [n for n in left if str(gone.pid) in n]
    finally:
        running.kill()
        running.wait()


def test_a_syntax_error_in_a_theme_template_names_its_file_and_line(project, capsys):
    page = project.root / "themes" / "default" / "templates" / "page.html"
    lines = page.read_text(encoding="utf-8").splitlines()
    lines.insert(1, "{% bogus_tag %}")
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = project.run("build", capsys=capsys)
    assert code == 1 and "Traceback" not in err
    assert "error: themes/default/templates/page.html:2: template error: Encountered unknown tag 'bogus_tag'." in err


def test_an_unknown_variable_in_a_shared_template_is_reported_where_it_is(project, capsys):
    base = project.root / "themes" / "default" / "templates" / "base.html"
    lines = base.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "</head>" in line)
    lines.insert(at, "{{ nope.deeper }}")
    base.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = project.run("build", capsys=capsys)
    assert code == 1
    assert f"error: themes/default/templates/base.html:{at + 1}: while rendering" in err and 'unknown variable "nope" (expected a name the template is given' in err


def test_the_count_of_problems_is_the_number_listed(project, capsys):
    """420 bad cells: 50 listed one by one, the other 370 on one "… and 370 more" line, and "420 problems found"."""
    yaml = ("title: T\ntheme: overig\nfieldwork: {start: 2026-03-02, end: 2026-03-16}\ninvited: 1000\n"
            "publish_on: 2026-04-15\nquestions:\n  - id: q1\n    text: Vraag?\n    type: single\n"
            "    options: {1: Ja, 2: Nee}\n")
    project.write("content/teststad/surveys/t/survey.yaml", yaml)
    project.write("content/teststad/surveys/t/responses.csv",
                  "respondent_id,q1\n" + "".join(f"{i},7\n" for i in range(1, 421)))
    code, err = project.run("build", capsys=capsys)
    listed = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 2
    assert len(listed) == 51
    assert listed[-1] == "error: content/teststad/surveys/t/responses.csv: … and 370 more problems"
    assert err.splitlines()[-1] == "420 problems found; nothing was written."
