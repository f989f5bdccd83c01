"""What a deploy sends, in which order and with which headers (panelsite.deploy.plan)."""

from __future__ import annotations

import pytest

from panelsite.deploy import plan


@pytest.mark.parametrize("path, kind", [
    ("assets/css/site.css", plan.ASSETS), ("assets/js/plotly.min.js", plan.ASSETS), ("assets/logo.svg", plan.ASSETS),
    ("resultaten/afval-2025/data.csv", plan.DOWNLOADS), ("resultaten/afval-2025/factsheet.pdf", plan.DOWNLOADS),
    ("index.html", plan.PAGES), ("404.html", plan.PAGES), ("resultaten/afval-2025/factsheet-email.html", plan.PAGES),
    ("sitemap.xml", plan.INDEXES), ("robots.txt", plan.INDEXES), ("resultaten/feed.xml", plan.INDEXES),
    ("pagefind/pagefind-entry.json", plan.INDEXES), ("pagefind/fragment/nl_3f2a.pf_fragment", plan.DOWNLOADS),
    ("open-data/catalogus.rdf", plan.DOWNLOADS), ("resultaten/afval-2025/cijfers/q1.metadata.json", plan.DOWNLOADS),
])
def test_every_file_has_a_kind(path, kind):
    assert plan.kind_of(path) is kind


def test_versioned_assets_are_cached_for_a_year_and_everything_else_revalidated():
    assert plan.ASSETS.cache_control == "public, max-age=31536000, immutable"
    assert {k.cache_control for k in (plan.DOWNLOADS, plan.PAGES, plan.INDEXES)} == {"no-cache"}
    assert [k.name for k in plan.KINDS] == ["assets", "downloads", "pages", "indexes"]


@pytest.mark.parametrize("path, head, expected", [
    ("index.html", b"", "text/html; charset=utf-8"),
    ("assets/css/site.css", b"", "text/css; charset=utf-8"),
    ("assets/js/charts.js", b"", "text/javascript; charset=utf-8"),
    ("r/data.csv", b"", "text/csv; charset=utf-8"),
    ("r/data.json", b"", "application/json; charset=utf-8"),
    ("r/factsheet-email.txt", b"", "text/plain; charset=utf-8"),
    ("r/factsheet.pdf", b"", "application/pdf"),
    ("assets/logo.svg", b"", "image/svg+xml; charset=utf-8"),
    ("assets/logo.png", b"", "image/png"),
    ("resultaten/feed.xml", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">', 
     "application/atom+xml; charset=utf-8"),
    ("sitemap.xml", b'<?xml version="1.0"?><urlset>', "application/xml; charset=utf-8"),
    ("catalogus.jsonld", b"", "application/ld+json; charset=utf-8"),
    ("pagefind/index/nl_1a2b.pf_index", b"", "application/octet-stream"),
])
def test_content_types_say_utf8_for_text(path, head, expected):
    assert plan.content_type(path, head) == expected


def site_file(path: str, sha: str = "a", size: int = 1) -> plan.SiteFile:
    return plan.SiteFile(path, None, size, sha, plan.kind_of(path), plan.content_type(path))


def test_passes_in_kind_order_with_new_files_before_changed_ones():
    files = [site_file(p) for p in ("index.html", "nieuw/index.html", "assets/css/site.css", "sitemap.xml",
                                    "r/data.csv", "assets/js/new.js")]
    remote = {p: plan.RemoteFile(p, 1, "x") for p in ("index.html", "assets/css/site.css", "sitemap.xml", "oud.html")}
    made = plan.make_plan(files, remote, None)
    assert [(p.kind.name, [f.path for f in p.files]) for p in made.passes] == [
        ("assets", ["assets/js/new.js", "assets/css/site.css"]),
        ("downloads", ["r/data.csv"]),
        ("pages", ["nieuw/index.html", "index.html"]),  # the new page before the page that links to it
        ("indexes", ["sitemap.xml"]),
    ]
    assert made.stale == ["oud.html"] and not made.known


def test_a_record_counts_only_while_the_destination_still_holds_what_it_describes():
    file = site_file("index.html", sha="new")
    same = plan.Record.of(file, "etag-1")
    assert plan.make_plan([file], {"index.html": plan.RemoteFile("index.html", 1, "etag-1")},
                          {"index.html": same}).unchanged == [file]
    # changed out of band, or by a deploy that stopped before writing its record
    assert plan.make_plan([file], {"index.html": plan.RemoteFile("index.html", 1, "etag-2")},
                          {"index.html": same}).uploads == [file]
    # deleted at the destination
    assert plan.make_plan([file], {}, {"index.html": same}).uploads == [file]
    # other bytes, or other headers (a new version of panelsite)
    older = plan.Record("old", same.content_type, same.cache_control, "etag-1")
    assert plan.make_plan([file], {"index.html": plan.RemoteFile("index.html", 1, "etag-1")},
                          {"index.html": older}).uploads == [file]
    other_headers = plan.Record("new", same.content_type, "max-age=60", "etag-1")
    assert plan.make_plan([file], {"index.html": plan.RemoteFile("index.html", 1, "etag-1")},
                          {"index.html": other_headers}).uploads == [file]


def test_the_record_round_trips_and_an_unreadable_one_trusts_nothing():
    records = {"index.html": plan.Record("s", "text/html; charset=utf-8", "no-cache", "f")}
    assert plan.read_state(plan.state_bytes("lindenhaven", records)) == records
    assert plan.read_state(None) is None
    assert plan.read_state(b"{not json") == {}
    assert plan.read_state(b'{"format": 99, "files": {}}') == {}


def test_emptied_folders_deepest_first():
    assert plan.emptied_folders(["a/b/x.html", "a/y.html", "c/z.html"], {"c/keep.html", "index.html"}) == ["a/b", "a"]
