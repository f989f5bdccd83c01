"""The demo's dates move with the build date (demo.as_of, config/dates.py): whatever the day, the demo
has a round in fieldwork, one about to start and one under embargo."""

from __future__ import annotations

import datetime as _dt
import subprocess
import sys
from pathlib import Path

import pytest

from panelsite.config import dates
from panelsite.engine import pipeline
from panelsite.engine.options import Options

ROOT = Path(__file__).resolve().parent.parent
DEMO_BUILD_DATE = "2026-11-28"  # tests/conftest.py builds the demo as of this day

# days far from the demo's own: a year on, a leap day, two and a half years on, an earlier spring
DAYS = ["2027-11-30", "2028-02-29", "2029-06-13", "2026-04-02"]


def _epoch(day: str) -> str:
    return str(int(_dt.datetime.fromisoformat(day + "T12:00:00+00:00").timestamp()))


def test_a_move_is_whole_weeks_to_the_week_of_the_build():
    as_of = _dt.date(2026, 11, 28)
    assert dates.move_for(None, _dt.date(2030, 1, 1)) == dates.NO_MOVE
    assert dates.move_for(as_of, as_of) == dates.NO_MOVE
    for day in (_dt.date(2027, 11, 30), _dt.date(2026, 12, 1), _dt.date(2025, 1, 9)):
        moved = as_of + dates.move_for(as_of, day)
        assert abs((moved - day).days) <= 3 and moved.weekday() == as_of.weekday()


@pytest.mark.parametrize("day", [DEMO_BUILD_DATE, *DAYS])
def test_the_demo_always_has_a_current_an_upcoming_and_an_embargoed_round(day, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(day))
    today = _dt.date.fromisoformat(day)
    loaded = pipeline.load_all(Options(root=ROOT, out=ROOT / "dist", today=today))
    surveys = [s for inputs in loaded.values() for s in inputs.results.all]
    current = [s for s in surveys if s.collect and s.fieldwork_start <= today <= s.fieldwork_end]
    upcoming = [s for s in surveys if s.collect and today < s.fieldwork_start]
    embargoed = [s for s in surveys if s.fieldwork_end < today < s.publish_on and s.has_responses]
    assert [s.id for s in current] == ["mobiliteit-2026"]
    assert [s.id for s in upcoming] == ["dorpshuizen"]
    assert [s.id for s in embargoed] == ["eenzaamheid-2026"]
    # everything else moved along: the register, the statement's research (never three years old)
    lindenhaven = loaded["lindenhaven"]
    m = lindenhaven.municipality
    assert abs((m.accessibility.last_check + _dt.timedelta(days=74) - today).days) <= 3  # as written: 74 days before
    assert abs((loaded["heidebeek"].panel_register.date - today).days) <= 11  # exported 8 days before the demo's day


def test_a_build_on_another_day_shows_the_three_rounds(tmp_path):
    out = tmp_path / "dist"
    env = {"SOURCE_DATE_EPOCH": _epoch("2029-06-13"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "build.py", "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    lindenhaven = (out / "lindenhaven" / "index.html").read_text(encoding="utf-8")
    assert "Nu bezig" in lindenhaven and "juni 2029" in lindenhaven
    brugwaard = (out / "brugwaard" / "index.html").read_text(encoding="utf-8")
    assert "Binnenkort" in brugwaard and "De dorpshuizen" in brugwaard
    heidebeek = (out / "heidebeek" / "resultaten" / "index.html").read_text(encoding="utf-8")
    assert "Contact met anderen: de uitkomsten staan hier op" in heidebeek and "2029" in heidebeek
    assert not (out / "heidebeek" / "resultaten" / "eenzaamheid-2026").exists()  # still under embargo


@pytest.mark.parametrize("day", DAYS)
def test_the_collector_keeps_the_demo_round_open_as_its_pages_do(day, monkeypatch):
    # the collector reads survey.yaml itself: its fieldwork must move as the built pages' does, or the
    # demo's questionnaire would say "open" and answer every post with "closed"
    from panelsite.collector.sites import load_sites
    from panelsite.surveys import fieldwork

    monkeypatch.setenv("SOURCE_DATE_EPOCH", _epoch(day))
    today = _dt.date.fromisoformat(day)
    site = load_sites(ROOT, ["lindenhaven"])["lindenhaven"]
    survey = next(s for s in site.surveys if s.id == "mobiliteit-2026")
    assert survey.fieldwork_start <= today and not fieldwork.closed_on(survey, today)
