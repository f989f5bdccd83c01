"""Site search: the Pagefind index of each site, and the search page in a real browser (Chromium),
with JavaScript and without."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from panelsite.a11y import check as a11y

from tests.conftest import DEMO_BUILD_EPOCH

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=a11y.CHROMIUM, args=a11y.CHROMIUM_ARGS)
        yield browser
        browser.close()


def search(browser, base_url: str, query: str, javascript: bool = True) -> tuple[str, list[str], object]:
    """(status text, result URLs, page) of a search on the site's search page."""
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(base_url + "zoeken/")
    if javascript:
        page.get_by_label("Waar zoekt u naar?").fill(query)
        page.get_by_role("button", name="Zoeken").click()
        page.wait_for_function("document.querySelector('.search__status').textContent.includes('gevonden')")
    status = page.locator(".search__status").inner_text()
    urls = page.eval_on_selector_all(".search__results a", "links => links.map(a => a.href)")
    return status, urls, page


@pytest.mark.parametrize("slug", ["lindenhaven", "heidebeek", "brugwaard"])
def test_every_site_has_a_dutch_pagefind_index(built_demo, slug):
    entry = json.loads((built_demo / slug / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert set(entry["languages"]) == {"nl"}
    assert entry["languages"]["nl"]["page_count"] >= 10
    sitemap = re.findall(r"<loc>([^<]+)</loc>", (built_demo / slug / "sitemap.xml").read_text(encoding="utf-8"))
    # every page of the sitemap but the search page itself
    assert entry["languages"]["nl"]["page_count"] == len(sitemap) - 1


def test_a_results_page_is_found_by_its_questions_not_by_its_tables(built_demo):
    """The tables, the groups and the earlier rounds of a question repeat its chart's answers and
    numbers: left out of the index (data-pagefind-ignore), so an excerpt shows the page's words."""
    import gzip

    site = built_demo / "lindenhaven"
    fragments = []
    for file in (site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(file.read_bytes())
        fragments.append(json.loads(data[data.index(b"{"):]))  # after Pagefind's "pagefind_dcd" signature
    results = [f for f in fragments if re.fullmatch(r"/resultaten/[^/]+/", f["url"])]
    assert len(results) >= 2
    for fragment in results:
        page = (site / fragment["url"].strip("/") / "index.html").read_text(encoding="utf-8")
        questions = re.findall(r'<h3 id="vraag-[^"]+"><span class="question__number">[^<]*</span> ([^<]+)</h3>', page)
        assert "95%-interval" in page and "Vergeleken met de rest" in page  # on the page, in the blocks left out
        assert "95%-interval" not in fragment["content"] and "Vergeleken met de rest" not in fragment["content"]
        assert questions and all(html.unescape(q) in fragment["content"] for q in questions), fragment["url"]


def test_search_finds_published_results_and_their_links_work(browser, demo_server):
    base = demo_server["lindenhaven"]
    status, urls, page = search(browser, base, "afvalscheiding")
    assert "gevonden met ‘afvalscheiding’" in status
    paths = [urlsplit(u).path for u in urls]
    assert any(p.startswith("/resultaten/afval-20") for p in paths), paths
    assert page.url.endswith("?q=afvalscheiding")  # a search can be shared
    page.locator(".search__results a").first.click()
    page.wait_for_load_state()
    assert page.title() and "Pagina niet gevonden" not in page.title()
    # the excerpt marks the words found
    assert page.go_back() is not None
    page.wait_for_function("document.querySelectorAll('.search__results mark').length > 0")


def test_only_what_the_public_build_holds_is_found(browser, demo_server, built_demo, tmp_path):
    base = demo_server["heidebeek"]
    # eenzaamheid-2026 is under embargo on the demo's build date (publish_on 2027-01-15)
    _status, urls, _ = search(browser, base, "eenzaamheid")
    assert not any("eenzaamheid-2026" in u for u in urls), urls
    # pages that say "thank you" or "not found", and the e-mail version of a factsheet, are never results
    for query in ("bedankt", "niet gevonden", "factsheet"):
        _status, urls, _ = search(browser, base, query)
        assert not any(re.search(r"/bedankt/|/404\.html|factsheet-email", u) for u in urls), (query, urls)

    # a preview build (--drafts) shows the round under embargo, and finds it
    out = tmp_path / "dist"
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(DEMO_BUILD_EPOCH)}
    proc = subprocess.run([sys.executable, "build.py", "--only", "heidebeek", "--drafts", "--out", str(out)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with a11y.serve_sites(out, ["heidebeek"]) as preview:
        _status, urls, _ = search(browser, preview["heidebeek"], "eenzaamheid")
    assert any("/resultaten/eenzaamheid-2026/" in u for u in urls), urls


def test_without_javascript_the_search_page_lists_every_page(browser, demo_server, built_demo):
    base = demo_server["brugwaard"]
    _status, _urls, page = search(browser, base, "", javascript=False)
    assert not page.get_by_label("Waar zoekt u naar?").is_visible()  # nothing to search with
    links = page.eval_on_selector_all(".search__pages a", "links => links.map(a => a.href)")
    sitemap = re.findall(r"<loc>([^<]+)</loc>", (built_demo / "brugwaard" / "sitemap.xml").read_text(encoding="utf-8"))
    site = "https://panel.brugwaard.nl/"
    expected = sorted(u[len(site):] for u in sitemap if not u.endswith("/zoeken/")) if sitemap[0].startswith(site) \
        else None
    got = sorted(urlsplit(u).path.lstrip("/") for u in links)
    if expected is not None:
        assert got == expected
    assert len(got) == len(sitemap) - 1 and page.locator(".search__pages a").first.inner_text()


def test_no_results_is_said_in_words(browser, demo_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(demo_server["lindenhaven"] + "zoeken/?q=xylofoonkwartet")
    page.wait_for_function("document.querySelector('.search__status').textContent.length > 0 && "
                           "!document.querySelector('.search__status').textContent.startsWith('Bezig')")
    assert page.locator(".search__status").inner_text().startswith("Geen pagina's gevonden met ‘xylofoonkwartet’")
    assert page.locator(".search__status").get_attribute("role") == "status"
    assert not page.locator(".search__results").is_visible()


def test_the_index_is_made_again_only_when_a_page_changed(tmp_path):
    from tests.authoring.conftest import build, make_project

    root = make_project(tmp_path / "project")
    build(root)
    entry = root / "dist" / "lindenhaven" / "pagefind" / "pagefind-entry.json"
    first = entry.stat().st_ino
    build(root)
    assert entry.stat().st_ino == first  # linked from the previous site, not made again
    page = root / "content" / "lindenhaven" / "over-de-gemeente.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nDe kade heeft een nieuwe veerpont.\n", encoding="utf-8")
    build(root)
    assert entry.stat().st_ino != first
    fragments = (root / "dist" / "lindenhaven" / "pagefind" / "fragment").iterdir()
    assert any(b"veerpont" in __import__("gzip").decompress(f.read_bytes()) for f in fragments)
    for path in (root / "dist" / "lindenhaven" / "pagefind").rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o755 if path.is_dir() else 0o644), path


def test_a_clean_build_takes_the_index_from_the_cache_only_for_the_same_page_bytes(tmp_path):
    """The cache key is the hash of every staged page, remembered as each was written: a page
    edited makes the index again in a new output folder, an unchanged site takes it as it was."""
    from tests.authoring.conftest import build, make_project

    root = make_project(tmp_path / "project")
    cache_dir = tmp_path / "cache"
    build(root, tmp_path / "a", cache_dir=cache_dir)
    build(root, tmp_path / "b", cache_dir=cache_dir)
    index = Path("lindenhaven") / "pagefind"
    assert sorted(p.name for p in (tmp_path / "b" / index).rglob("*")) == \
        sorted(p.name for p in (tmp_path / "a" / index).rglob("*"))
    page = root / "content" / "lindenhaven" / "over-de-gemeente.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nDe kade heeft een nieuwe veerpont.\n", encoding="utf-8")
    build(root, tmp_path / "c", cache_dir=cache_dir)
    fragments = (tmp_path / "c" / index / "fragment").iterdir()
    assert any(b"veerpont" in __import__("gzip").decompress(f.read_bytes()) for f in fragments)


def test_a_staged_pages_hash_is_that_of_its_bytes_written_linked_or_reused(tmp_path):
    from panelsite.engine.hashing import content_hash
    from panelsite.engine.writer import StagedSite

    target = tmp_path / "site"
    first = StagedSite(target, blobs=tmp_path / "blobs")
    first.write("a/index.html", b"<p>een</p>")
    first.write("b/index.html", b"<p>twee</p>", shared=True)
    first.commit()
    second = StagedSite(target, blobs=tmp_path / "blobs")
    second.write("a/index.html", b"<p>eerst</p>")
    assert second.reuse("a/index.html")  # the file of the current site replaces what was written
    second.write("c/index.html", b"<p>drie</p>")
    for path in ("a/index.html", "c/index.html"):
        assert second.content_hash(path) == content_hash((second.stage / path).read_bytes())
    assert second.content_hash("a/index.html") == content_hash(b"<p>een</p>")
    assert first.content_hash("b/index.html") == content_hash(b"<p>twee</p>")
    second.abort()
