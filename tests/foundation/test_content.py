from pathlib import Path

from panelsite.engine import content, render
from panelsite.config.schema import Record


def test_site_paths_are_pretty_urls():
    assert content.site_path(Path("index.md")) == ""
    assert content.site_path(Path("over-het-panel.md")) == "over-het-panel/"
    assert content.site_path(Path("nieuws/index.md")) == "nieuws/"
    assert content.site_path(Path("nieuws/2026.md")) == "nieuws/2026/"


def test_municipality_page_overrides_shared_page_by_path(project):
    project.write("content/teststad/over-het-panel.md", "---\ntitle: Ons eigen panel\n---\nEigen tekst.\n")
    project.write("content/teststad/extra.md", "---\ntitle: Extra\n---\nNog een pagina.\n")
    pages = {p.path: p for p in content.load_pages(project.root, "teststad")}
    assert pages["over-het-panel/"].title == "Ons eigen panel"
    assert not pages["over-het-panel/"].shared
    assert pages["contact/"].shared
    assert "extra/" in pages


def test_drafts_are_left_out_unless_asked(project):
    project.write("content/teststad/concept.md", "---\ntitle: Concept\ndraft: true\n---\nNog niet af.\n")
    assert "concept/" not in {p.path for p in content.load_pages(project.root, "teststad")}
    assert "concept/" in {p.path for p in content.load_pages(project.root, "teststad", drafts=True)}


def test_markdown_gets_heading_ids_tables_footnotes_toc_and_relative_links(project):
    page = next(p for p in content.load_pages(project.root, "teststad") if p.path == "over-het-panel/")
    site = Record(name="Teststad", panel_name="Teststad Panel")
    url, _ = render.url_functions(page.path)
    content.render_markdown(page, render.content_environment(site), {"site": site, "url": url})
    assert '<h2 id="wie-mag-meedoen">Wie mag meedoen?</h2>' in page.html
    assert "<table>" in page.html and "<th>a</th>" in page.html
    # a table scrolls sideways in a region of its own on a narrow screen: a tab stop named by its header row
    region = page.html[page.html.index('<div class="table-scroll"'):]
    assert region.startswith('<div class="table-scroll" role="region" tabindex="0" aria-label="Tabel: a, b"><table>')
    assert region.index("</table></div>") > 0
    assert 'class="footnote"' in page.html
    assert 'href="../contact/"' in page.html  # "/contact/" made page-relative
    assert [t["id"] for t in page.toc] == ["wie-mag-meedoen"]
    assert page.toc[0]["children"][0]["id"] == "leeftijd"


def test_relative_urls():
    assert render.relative_url("", "") == "./"
    assert render.relative_url("", "contact/") == "contact/"
    assert render.relative_url("resultaten/afval/", "") == "../../"
    assert render.relative_url("resultaten/afval/data.json", "contact/") == "../../contact/"
    assert render.relative_url("a/", "a/#x") == "../a/#x"
