"""The published accessibility report: from content/<slug>/a11y-report.json to a page the statement links to."""

import json


def _summary(**over):
    data = {"date": "2026-11-20", "standard": "WCAG 2.1 AA", "tools": {"pa11y-ci": "4.1.1", "vnu-jar": "26.9.27"},
            "pages_checked": 42, "errors": 0, "warnings": 3, "passed": True,
            "errors_by_criterion": {}, "findings_by_criterion": {"1.4.3": 2, "overig": 1},
            "pages": ["index.html", "contact/index.html"]}
    data.update(over)
    return json.dumps(data)


def test_report_page_is_published_and_linked_from_the_statement(project, capsys):
    project.write("content/teststad/a11y-report.json", _summary())
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    site = project.out / "teststad"
    report = (site / "toegankelijkheid" / "rapport" / "index.html").read_text(encoding="utf-8")
    assert "pa11y-ci 4.1.1, vnu-jar 26.9.27" in report and "20 november 2026" in report and "WCAG 1.4.3" in report and "<td class=\"num\">2</td>" in report
    statement = (site / "toegankelijkheid" / "index.html").read_text(encoding="utf-8")
    assert "42 pagina's gecontroleerd, 0 fouten gevonden" in statement
    assert 'href="rapport/"' in statement or 'href="../toegankelijkheid/rapport/"' in statement


def test_without_a_report_there_is_no_report_page(project, capsys):
    assert project.run("build", capsys=capsys)[0] == 0
    assert not (project.out / "teststad" / "toegankelijkheid" / "rapport").exists()


def test_a_broken_report_file_is_a_clear_error(project, capsys):
    project.write("content/teststad/a11y-report.json", '{"date": "2026-11-20"}')
    code, err = project.run("build", capsys=capsys)
    assert code == 2
    assert ("error: content/teststad/a11y-report.json: not a report written by 'build.py check --a11y --publish' "
            "(missing standard, tools, pages_checked, errors, warnings, findings_by_criterion)") in err
