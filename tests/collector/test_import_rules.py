"""The collector is a runtime service apart from the build: it never imports the build
pipeline or a page family (docs/ARCHITECTURE.md). tests/foundation/test_layers.py reads the
collector's own imports; this test checks what a running collector has loaded, through whatever
it imports."""

from __future__ import annotations

import json
import subprocess
import sys

from panelsite.engine import pipeline

from .helpers import ROOT

FORBIDDEN = ("panelsite.engine.pipeline", *(family.__name__ for family in pipeline.FAMILIES))


def test_a_running_collector_has_loaded_neither_the_pipeline_nor_a_family(tmp_path):
    """Transitively too: start the app on the demo municipalities, render a page, list the modules."""
    code = f"""
import json, sys
from pathlib import Path
from starlette.testclient import TestClient
from panelsite.collector.app import create_app
from panelsite.collector import commands
app = create_app(Path({str(ROOT)!r}), database_url="sqlite:///{tmp_path / 'db.sqlite3'}", secret="x" * 32,
                 mail_dir=Path({str(tmp_path / 'mail')!r}), public_url="http://127.0.0.1:8001/")
with TestClient(app) as client:
    assert client.get("/lindenhaven/aanmelden").status_code == 200
print(json.dumps(sorted(sys.modules)))
"""
    run = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    loaded = set(json.loads(run.stdout.strip().splitlines()[-1]))
    assert "panelsite.collector.routes" in loaded  # the app really ran
    assert sorted(loaded & set(FORBIDDEN)) == []
