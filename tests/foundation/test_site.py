"""End-to-end build of a small project: the files, URLs and markup every site must have."""

import re
import xml.etree.ElementTree as ET

import pytest


@pytest.fixture
def built(project, capsys):
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    return project.out / "teststad"


def html(site, path):
    return (site / path).read_text(encoding="utf-8")


def test_pretty_urls_and_generated_pages(built):
    for path in ["index.html", "over-het-panel/index.html", "doe-mee/index.html", "contact/index.html",
                 "privacy/index.html", "toegankelijkheid/index.html", "resultaten/index.html", "404.html",
                 "sitemap.xml", "robots.txt", "assets/css/site.css", "assets/logo.svg", "assets/favicon.svg"]:
        assert (built / path).is_file(), path


def test_every_page_has_lang_title_description_canonical_favicon_and_skip_link_first(built):
    page = html(built, "over-het-panel/index.html")
    assert '<html lang="nl">' in page
    assert "<title>Over het panel – Teststad Panel</title>" in page
    assert '<meta name="description" content="Uitleg">' in page
    assert '<link rel="canonical" href="https://panel.teststad.nl/over-het-panel/">' in page
    assert re.search(r'<link rel="icon" href="\.\./assets/favicon\.svg\?v=[0-9a-f]{12}">', page)
    body = page.split("<body>", 1)[1]
    first_focusable = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
    assert first_focusable == '<a class="skip-link" href="#inhoud">'
    assert '<main id="inhoud" tabindex="-1" data-pagefind-body>' in body  # found by the site search
    assert 'aria-current="page"' in body  # the navigation marks the current page


def test_sitemap_and_robots_use_absolute_urls(built):
    root = ET.fromstring((built / "sitemap.xml").read_bytes())
    locs = {loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "https://panel.teststad.nl/" in locs
    assert "https://panel.teststad.nl/privacy/" in locs
    assert not any("404" in loc for loc in locs)
    assert "Sitemap: https://panel.teststad.nl/sitemap.xml" in html(built, "robots.txt")


def test_privacy_and_accessibility_statements_come_from_the_config(built):
    privacy = html(built, "privacy/index.html")
    assert "College van B&amp;W van Teststad" in privacy
    assert "fg@teststad.nl" in privacy
    assert "Autoriteit Persoonsgegevens" in privacy
    assert "14 dagen" in privacy  # the default retention of unconfirmed sign-ups
    statement = html(built, "toegankelijkheid/index.html")
    assert "Status C:" in statement
    assert "https://panel.teststad.nl/" in statement
    assert "2 september 2026" in statement  # signed_on, Dutch date


def test_nothing_is_loaded_from_another_host(built):
    for page in built.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", text):
            if re.search(r'rel="(canonical|alternate)"', tag):
                continue  # references to this site's own public URL, nothing is loaded
            assert not re.search(r'(src|href)="(https?:)?//', tag), (page, tag)
    css = html(built, "assets/css/site.css")
    assert "url(http" not in css and "@import" not in css


def test_404_uses_absolute_links_from_the_base_path(project, capsys):
    project.edit("municipalities/teststad.yaml", "https://panel.teststad.nl/", "https://www.teststad.nl/panel/")
    assert project.run("build", capsys=capsys)[0] == 0
    page = html(project.out / "teststad", "404.html")
    assert 'href="/panel/assets/css/site.css' in page
    assert '<meta name="robots" content="noindex">' in page
    home = html(project.out / "teststad", "index.html")
    assert '<link rel="canonical" href="https://www.teststad.nl/panel/">' in home
    assert 'href="assets/css/site.css' in home  # relative: works under any sub-path


def test_base_url_override_for_preview_deploys(project, capsys):
    assert project.run("build", "--base-url", "https://preview.example.org/pr-7/{slug}/", capsys=capsys)[0] == 0
    page = html(project.out / "teststad", "contact/index.html")
    assert '<link rel="canonical" href="https://preview.example.org/pr-7/teststad/contact/">' in page


def test_two_builds_are_byte_identical(project, capsys, tmp_path):
    assert project.run("build", capsys=capsys)[0] == 0
    first = {p.relative_to(project.out): p.read_bytes() for p in (project.out / "teststad").rglob("*") if p.is_file()}
    project.out = tmp_path / "second"
    assert project.run("build", capsys=capsys)[0] == 0
    second = {p.relative_to(project.out): p.read_bytes() for p in (project.out / "teststad").rglob("*") if p.is_file()}
    assert first == second


def test_theme_override_of_a_single_template_and_extra_css(project, capsys):
    project.write("themes/teststad/templates/partials/footer.html",
                  '{% include "default:partials/footer.html" %}<p class="eigen">Eigen voettekst</p>\n')
    project.write("themes/teststad/static/css/extra.css", ".eigen { font-weight: 700; }\n")
    assert project.run("build", capsys=capsys)[0] == 0
    site = project.out / "teststad"
    assert '<p class="eigen">Eigen voettekst</p>' in html(site, "index.html")
    assert "Privacyverklaring" in html(site, "index.html")  # the default footer is still there
    assert ".eigen { font-weight: 700; }" in html(site, "assets/css/site.css")


def test_the_removed_language_key_is_a_warning_and_the_site_stays_dutch(project, capsys):
    text = project.config.read_text().replace("base_url:", "language: en\nbase_url:")
    project.write("municipalities/teststad.yaml", text)
    line = text.splitlines().index("language: en") + 1
    assert project.run("build", capsys=capsys)[0] == 0
    assert (f"warning: municipalities/teststad.yaml:{line}: language: is no longer an option and is ignored: the sites "
            "are Dutch") in project.stdout
    page = html(project.out / "teststad", "index.html")
    assert '<html lang="nl">' in page and "Naar de inhoud" in page


def test_summary_line(project, capsys):
    assert project.run("build", capsys=capsys)[0] == 0
    assert re.search(r"Built 1 site, \d+ pages \(\d+ files rendered\) in \d+\.\d s", project.stdout)
