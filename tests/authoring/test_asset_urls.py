"""Asset URLs carry the hash of the file's own bytes (``?v=``), so the long cache lifetime of
/assets/ (docs/deploy.md) never serves a stale stylesheet, script or logo."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .conftest import build
from .test_incremental import inodes, rerendered
from .test_shared_files import two_municipalities

ASSET_LINK = re.compile(r'\s(?:href|src|data-plotly)="([^"]*assets/[^"]*)"')


def asset_links(site: Path) -> dict[str, set[str]]:
    """page → every link from it to a file under assets/."""
    return {page.relative_to(site).as_posix(): set(ASSET_LINK.findall(page.read_text(encoding="utf-8")))
            for page in site.rglob("*.html")}


def token(site: Path, page: str, asset: str) -> str:
    html = (site / page).read_text(encoding="utf-8")
    return re.search(re.escape(asset) + r"\?v=([0-9a-f]+)", html).group(1)


def test_every_asset_link_carries_the_hash_of_that_files_bytes(small_project):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    linked = set()
    for page, links in asset_links(site).items():
        for link in links:
            assert "?v=" in link, f"{page} links {link} without a version"
            path, version = link.split("?v=")
            file = (site / page).parent / path if not path.startswith("/") else site / path.removeprefix("/")
            assert hashlib.sha256(file.read_bytes()).hexdigest().startswith(version), (page, link)
            linked.add(file.name)
    # the families of assets there are: stylesheets, scripts, images, the self-hosted plotly.js
    assert {"site.css", "forms.css", "forms.js", "factsheet.css", "charts.js", "plotly.min.js",
            "logo.svg", "favicon.svg"} <= linked


def test_a_new_brand_colour_gives_site_css_a_new_url(small_project):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    before = token(site, "index.html", "assets/css/site.css")
    config = small_project / "municipalities" / "lindenhaven.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('primary: "#0b5394"', 'primary: "#0a4a85"'),
                      encoding="utf-8")
    build(small_project)
    assert "#0a4a85" in (site / "assets/css/site.css").read_text(encoding="utf-8")
    assert token(site, "index.html", "assets/css/site.css") != before


def test_municipalities_with_different_house_styles_get_different_stylesheet_urls(tmp_path):
    project = two_municipalities(tmp_path / "project")
    config = project / "municipalities" / "eikendaal.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('primary: "#0b5394"', 'primary: "#0a4a85"'),
                      encoding="utf-8")
    build(project)
    dist = project / "dist"
    assert token(dist / "lindenhaven", "index.html", "assets/css/site.css") != \
        token(dist / "eikendaal", "index.html", "assets/css/site.css")
    # the same theme script: the same bytes, so the same URL (and one cached copy) for both
    assert token(dist / "lindenhaven", "doe-mee/index.html", "assets/js/forms.js") == \
        token(dist / "eikendaal", "doe-mee/index.html", "assets/js/forms.js")


def test_a_new_logo_file_re_renders_the_pages_that_link_it(small_project):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    before_token = token(site, "over-de-gemeente/index.html", "assets/logo.svg")
    before = inodes(site)
    logo = small_project / "municipalities" / "assets" / "lindenhaven-logo.svg"
    logo.write_text(logo.read_text(encoding="utf-8").replace("</svg>", "<!-- nieuw -->\n</svg>"), encoding="utf-8")
    build(small_project)
    assert "over-de-gemeente/index.html" in rerendered(before, inodes(site))
    assert token(site, "over-de-gemeente/index.html", "assets/logo.svg") != before_token
