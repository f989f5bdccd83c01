import shutil
from pathlib import Path

from panelsite.cli import main
from panelsite.panel.report import report_text

from .conftest import municipality, rows

ROOT = Path(__file__).resolve().parents[2]


def test_report_numbers(project):
    register = project.register("member_id,leeftijd,wijk,joined,left\n" + rows(
        (25, "jong,A,2024-01-10,"), (5, "jong,B,2024-01-10,"), (7, "oud,B,2024-02-01,"), (3, "oud,C,2024-04-01,")))
    text = report_text(municipality(), register, 0.8)
    assert "- Actieve leden: 40" in text
    assert "## Ondervertegenwoordigde groepen (verhouding panel/bevolking onder 0,8)" in text
    # smallest ratio first; small groups are shown: this report is not published
    assert ("| wijk | C | 3 | 7,5% | 50,0% | −42,5 | 0,15 |\n"
            "| leeftijd | oud | 10 | 25,0% | 50,0% | −25,0 | 0,50 |") in text
    assert "| wijk | B |" not in text  # 30% against 30%
    # leeftijd: N = max(30 / 0,5, 10 / 0,5) = 60 → 0 and 20; wijk: N = max(25 / 0,2, 12 / 0,3, 3 / 0,5) = 125
    assert "Doelomvang N = 60,0; in totaal 20 leden te werven." in text
    assert "| oud | 10 | 50,0% | 20 |" in text
    assert "Doelomvang N = 125,0; in totaal 86 leden te werven." in text  # B: 37,5 − 12 → 26; C: 62,5 − 3 → 60
    assert "| geen | 40 |" in text and "| 5 | 40 |" in text


def test_panel_report_command(tmp_path, capsys):
    root = tmp_path / "project"
    shutil.copytree(ROOT / "municipalities", root / "municipalities")
    shutil.copytree(ROOT / "content" / "brugwaard" / "panel", root / "content" / "brugwaard" / "panel")
    assert main(["panel-report", "brugwaard", "--root", str(root), "--threshold", "0.9"]) == 0
    out = capsys.readouterr()
    written = (root / "reports" / "panel-brugwaard.md").read_text(encoding="utf-8")
    assert out.out == written + "\n"  # printed and written alike
    assert "(verhouding panel/bevolking onder 0,9)" in written
    assert "Written to reports/panel-brugwaard.md (not published)." in out.err


def test_panel_report_without_register(tmp_path, capsys):
    shutil.copytree(ROOT / "municipalities", tmp_path / "municipalities")
    assert main(["panel-report", "brugwaard", "--root", str(tmp_path)]) == 2
    assert capsys.readouterr().err.splitlines()[-2:] == [
        "error: content/brugwaard/panel/members.csv: no member register (expected the output of python build.py "
        "export brugwaard members saved at this path)",
        "1 problem found; nothing was written.",
    ]


def test_report_lists_nothing_when_every_group_reaches_the_threshold(project):
    register = project.register("member_id,leeftijd,wijk,joined,left\n" + rows(
        (10, "jong,A,2024-01-10,"), (15, "jong,B,2024-01-10,"), (25, "oud,C,2024-01-10,")))
    assert "Geen: elke groep haalt de drempel." in report_text(municipality(), register, 0.8)
