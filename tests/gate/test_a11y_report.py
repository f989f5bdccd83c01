"""The accessibility report: WCAG criterion mapping, grouping, summary and the files written."""

import json
import urllib.error
import urllib.request
from pathlib import Path

from panelsite.a11y import check as a11y

FIXTURE = Path(__file__).parent / "fixtures" / "site"


def test_htmlcs_codes_map_to_criteria():
    assert a11y.criteria_for_htmlcs("WCAG2AA.Principle1.Guideline1_4.1_4_3.G18.Fail") == ["1.4.3"]
    assert a11y.criteria_for_htmlcs("WCAG2AA.Principle1.Guideline1_4.1_4_10.C32") == ["1.4.10"]
    assert a11y.criteria_for_htmlcs("WCAG2AA.Principle4.Guideline4_1.4_1_2.H91.InputText.Name") == ["4.1.2"]
    assert a11y.criteria_for_htmlcs("something-else") == []


def test_axe_tags_map_to_criteria():
    assert a11y.criteria_for_axe_tags(["cat.color", "wcag2aa", "wcag143", "EN-9.1.4.3"]) == ["1.4.3"]
    assert a11y.criteria_for_axe_tags(["wcag2a", "wcag244", "wcag412", "wcag21aa", "wcag1410"]) == ["2.4.4", "4.1.2", "1.4.10"]
    assert a11y.criteria_for("axe", "color-contrast", {"color-contrast": ("wcag2aa", "wcag143")}) == ["1.4.3"]
    assert a11y.criteria_for("vnu", "line 3") == []


def test_axe_rules_are_read_from_the_installed_axe_core():
    tags = a11y.axe_rule_tags()
    assert "wcag143" in tags["color-contrast"]


def finding(criteria, type="error", page="proefstad/"):
    return a11y.asdict(a11y.Finding(page=page, tool="axe", code="x", message="m", type=type, criteria=criteria))


def small_report():
    return {
        "slug": "proefstad", "date": "2026-11-28", "standard": "WCAG2AA", "tools": {"pa11y-ci": "4.1.1"},
        "pages": ["proefstad/", "proefstad/doe-mee/"],
        "findings": [finding(["4.1.2"]), finding(["1.4.10"]), finding(["1.4.3"]), finding([]),
                     finding([], type="warning", page="proefstad/doe-mee/")],
    }


def test_findings_are_grouped_in_wcag_order():
    assert list(a11y.by_criterion(small_report()["findings"])) == ["1.4.3", "1.4.10", "4.1.2", "overig"]


def test_summary_for_the_accessibility_statement():
    assert a11y.report_summary(small_report()) == {
        "date": "2026-11-28", "standard": "WCAG2AA", "tools": {"pa11y-ci": "4.1.1"}, "pages_checked": 2,
        "errors": 4, "warnings": 1, "passed": False,
        "errors_by_criterion": {"1.4.3": 1, "1.4.10": 1, "4.1.2": 1, "overig": 1},
        "findings_by_criterion": {"1.4.3": 1, "1.4.10": 1, "4.1.2": 1, "overig": 2},
        "pages": ["proefstad/", "proefstad/doe-mee/"],
    }


def test_report_files(tmp_path):
    json_path, html_path = a11y.write_report(small_report(), tmp_path)
    assert json.loads(json_path.read_text()) == small_report()
    html = html_path.read_text()
    assert '<html lang="nl">' in html
    assert html.index("Succescriterium 1.4.3 (1)") < html.index("Succescriterium 1.4.10 (1)") < html.index("Overige bevindingen")
    assert "Gecontroleerde pagina's: 2. Fouten: 4. Waarschuwingen: 1." in html


def test_server_serves_a_site_under_its_base_path_with_its_404_page():
    with a11y.served_site(FIXTURE / "proefstad") as base_url:
        assert base_url.endswith("/proefstad/")
        assert urllib.request.urlopen(base_url + "doe-mee/").status == 200
        for missing in (base_url + "bestaat-niet/", base_url.replace("/proefstad/", "/")):
            try:
                urllib.request.urlopen(missing)
            except urllib.error.HTTPError as exc:
                assert exc.code == 404 and b"Pagina niet gevonden" in exc.read()
            else:
                raise AssertionError(f"{missing} did not answer 404")


def test_main_check_a11y_writes_reports(tmp_path, capsys):
    (tmp_path / "reports").mkdir()
    code = a11y.main_check_a11y(tmp_path, FIXTURE, ["proefstad"], publish=True)
    assert code == 0, capsys.readouterr().out
    report = json.loads((tmp_path / "reports" / "a11y" / "proefstad.json").read_text())
    assert len(report["pages"]) == 7 and report["findings"] == []
    assert (tmp_path / "reports" / "a11y" / "proefstad.html").exists()
    summary = json.loads((tmp_path / "content" / "proefstad" / "a11y-report.json").read_text())
    assert summary["passed"] and summary["pages_checked"] == 7
    assert "proefstad: 7 pages, 0 errors, 0 warnings" in capsys.readouterr().out
