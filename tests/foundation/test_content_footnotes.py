"""Footnotes in Markdown pages: Dutch link texts, and a reference a screen reader can name."""

import re

from panelsite.engine import content, render
from panelsite.config.schema import Record


def rendered(project, path="over-het-panel/"):
    page = next(p for p in content.load_pages(project.root, "teststad") if p.path == path)
    site = Record(name="Teststad", panel_name="Teststad Panel")
    url, _ = render.url_functions(page.path)
    content.render_markdown(page, render.content_environment(site), {"site": site, "url": url})
    return page.html


def test_footnote_links_are_dutch_and_named(project):
    html = rendered(project)
    assert "Jump back" not in html
    assert '<a class="footnote-ref" href="#fn:1" aria-label="Voetnoot 1">1</a>' in html
    back = re.search(r'<a class="footnote-backref"[^>]*>(.*?)</a>', html)
    assert 'title="Terug naar voetnoot 1 in de tekst"' in back.group(0)
    # The link's name is words, not only the arrow (which is hidden from screen readers).
    assert re.sub(r'<span aria-hidden="true">.*?</span>', "", back.group(1)).strip() == "Terug naar de tekst"
