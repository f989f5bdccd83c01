"""Shared fixtures: the demo sites, built once per test session and served over HTTP.

``PANELSITE_GATE_DIST=/some/dist`` checks an existing dist folder instead of building
(for example ``tests/gate/fixtures/site``, the hand-written site the gate tests start from).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from panelsite.a11y import check as a11y

ROOT = Path(__file__).resolve().parent.parent
DEMO_BUILD_DATE = "2026-11-28"
DEMO_BUILD_EPOCH = 1795824000  # 2026-11-28T00:00:00Z

# The demo's dates move with the build date (demo.as_of in municipalities/*.yaml, config/dates.py):
# every test that reads the demo reads it as of its own day, whatever the machine's clock or a CI's
# SOURCE_DATE_EPOCH says. A test that needs another day sets SOURCE_DATE_EPOCH itself.
os.environ["SOURCE_DATE_EPOCH"] = str(DEMO_BUILD_EPOCH)


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory) -> Path:
    """The dist folder of the demo sites: ``python build.py --out <tmp>/dist``, once."""
    if os.environ.get("PANELSITE_GATE_DIST"):
        return Path(os.environ["PANELSITE_GATE_DIST"]).resolve()
    if not (ROOT / "build.py").exists():
        pytest.skip("build.py does not exist yet")
    out = tmp_path_factory.mktemp("demo") / "dist"
    # A fixed build date: the demo's embargo and fieldwork dates mean the same thing on any day.
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(DEMO_BUILD_EPOCH)}
    proc = subprocess.run([sys.executable, "build.py", "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        pytest.fail(f"python build.py --out {out} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return out


@pytest.fixture(scope="session")
def demo_server(built_demo) -> dict[str, str]:
    """slug → base URL of that demo site, served on 127.0.0.1 (one port per site, under its base path).

    Missing paths get the site's ``404.html`` with status 404. ``a11y.page_url(demo_server, page)``
    is a page's URL.
    """
    with a11y.serve_sites(built_demo) as base_urls:
        yield base_urls


@pytest.fixture(scope="session")
def demo_pages(built_demo) -> list[a11y.Page]:
    """Every HTML page of every demo site (``page.slug``, ``.file``, ``.path``, ``.rel``, ``.type``)."""
    pages = a11y.site_pages(built_demo)
    assert pages, f"no HTML pages in {built_demo}"
    return pages
