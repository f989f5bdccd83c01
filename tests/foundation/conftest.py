"""A tiny, valid project in a temp folder that each test breaks in its own way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from panelsite.cli import main

REPO = Path(__file__).resolve().parents[2]

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
    18-39: 500
    40+: 500
  wijk:
    Noord: 600
    Zuid: 400
"""

PAGES = {
    "index.md": "---\ntitle: Welkom\ntemplate: home.html\n---\nWelkom bij {{ site.panel_name }}.\n",
    "contact.md": "---\ntitle: Contact\nnav_order: 50\n---\nMail [ons](mailto:{{ site.contact.email }}).\n",
    "doe-mee.md": "---\ntitle: Doe mee\nnav_order: 40\n---\nMeld u aan per e-mail.\n",
    "privacy.md": "---\ntitle: Privacyverklaring\ntemplate: privacy.html\n---\nIntro.\n",
    "toegankelijkheid.md": "---\ntitle: Toegankelijkheidsverklaring\ntemplate: accessibility.html\n---\n",
    "over-het-panel.md": (
        "---\ntitle: Over het panel\ndescription: Uitleg\nnav_order: 10\ntoc: true\n---\n"
        "Intro[^1].\n\n## Wie mag meedoen?\n\nIedereen.\n\n### Leeftijd\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n"
        "Zie [contact](/contact/).\n\n[^1]: Een voetnoot.\n"
    ),
}


class Project:
    def __init__(self, root: Path):
        self.root = root
        self.config = root / "municipalities" / "teststad.yaml"
        self.out = root / "dist"

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def run(self, *args: str, capsys=None) -> tuple[int, str]:
        code = main([*args, "--root", str(self.root), "--out", str(self.out), "--jobs", "1"])
        captured = capsys.readouterr() if capsys else None
        self.stdout = captured.out if captured else ""
        return code, captured.err if captured else ""


@pytest.fixture
def project(tmp_path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    (root / "municipalities" / "assets").mkdir(parents=True)
    shutil.copy(REPO / "municipalities" / "assets" / "lindenhaven-logo.svg", root / "municipalities" / "assets" / "logo.svg")
    (root / "municipalities" / "teststad.yaml").write_text(MUNICIPALITY, encoding="utf-8")
    for name, text in PAGES.items():
        path = root / "content" / "_shared" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Project(root)
