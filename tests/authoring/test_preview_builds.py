"""Preview builds (--drafts) show results still under embargo: search engines must keep out."""

from __future__ import annotations


from panelsite.engine.writer import robots

from .conftest import build

NOINDEX = '<meta name="robots" content="noindex">'


def test_every_page_of_a_preview_build_has_noindex(small_project):
    build(small_project, drafts=True)
    site = small_project / "dist" / "lindenhaven"
    # The e-mail versions of factsheets are pasted into newsletters, not pages: like the PDFs and
    # data files, robots.txt keeps them out.
    pages = [p for p in site.rglob("*.html") if not p.name.endswith("-email.html")]
    assert len(pages) > 10
    assert [p.relative_to(site).as_posix() for p in pages if NOINDEX not in p.read_text(encoding="utf-8")] == []


def test_a_production_build_is_indexed(small_project):
    build(small_project)
    site = small_project / "dist" / "lindenhaven"
    assert NOINDEX not in (site / "index.html").read_text(encoding="utf-8")
    assert "Allow: /" in (site / "robots.txt").read_text(encoding="utf-8")
    assert (site / "sitemap.xml").is_file()


def test_robots_txt_of_a_preview_disallows_everything_and_names_no_sitemap():
    text = robots("https://previews.example.nl/pr-42/lindenhaven/", index=False).decode()
    assert text.splitlines() == ["User-agent: *", "Disallow: /"]


def test_a_preview_build_has_a_disallowing_robots_txt_and_no_sitemap(small_project):
    build(small_project, drafts=True)
    site = small_project / "dist" / "lindenhaven"
    assert (site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nDisallow: /\n"
    assert not (site / "sitemap.xml").exists()
