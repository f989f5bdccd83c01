"""Markdown → HTML (panelsite.engine.markdown_html): what the pages and their table of contents rely on."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from panelsite.engine import markdown_cmark, markdown_html, markdown_mistune
from panelsite.engine.markdown_html import convert

ROOT = Path(__file__).resolve().parents[2]


def test_every_heading_gets_a_unique_id_and_h2_h3_make_the_nested_toc():
    out = convert("# Titel\n\n## Wie mag meedoen?\n\n### Leeftijd & woonplaats\n\n## Wie mag meedoen?\n\n"
                  "#### Diep\n\n## Één keer *per* jaar\n")
    assert '<h1 id="titel">Titel</h1>' in out.html
    assert '<h2 id="wie-mag-meedoen">Wie mag meedoen?</h2>' in out.html
    assert '<h2 id="wie-mag-meedoen_1">Wie mag meedoen?</h2>' in out.html  # a second heading, a second id
    assert '<h4 id="diep">Diep</h4>' in out.html
    assert '<h2 id="een-keer-per-jaar">Één keer <em>per</em> jaar</h2>' in out.html
    assert [(t["id"], t["name"], [c["id"] for c in t["children"]]) for t in out.toc] == [
        ("wie-mag-meedoen", "Wie mag meedoen?", ["leeftijd-woonplaats"]),
        ("wie-mag-meedoen_1", "Wie mag meedoen?", []),
        ("een-keer-per-jaar", "Één keer per jaar", []),
    ]
    assert out.toc[0]["children"][0]["name"] == "Leeftijd &amp; woonplaats"  # HTML text: the template strips tags


def test_footnotes_are_named_numbered_and_link_back_in_dutch():
    out = convert("## Kop[^bron]\n\nTekst[^bron] en meer[^twee].\n\n[^bron]: De bron.\n[^twee]: Nog een.\n")
    # The heading's id and its table of contents entry leave the footnote number out.
    assert out.toc[0]["id"] == "kop" and out.toc[0]["name"] == "Kop"
    refs = re.findall(r'<sup id="([^"]+)"><a class="footnote-ref" href="#fn:([^"]+)" aria-label="Voetnoot (\d)">\3</a>',
                      out.html)
    assert refs == [("fnref:bron", "bron", "1"), ("fnref2:bron", "bron", "1"), ("fnref:twee", "twee", "2")]
    assert '<div class="footnote">\n<hr>\n<ol>\n<li id="fn:bron">' in out.html
    assert ('<p>De bron.&#160;<a class="footnote-backref" href="#fnref:bron" title="Terug naar voetnoot 1 in de '
            'tekst"><span aria-hidden="true">↩</span> Terug naar de tekst</a></p>') in out.html


def test_a_table_scrolls_in_a_region_named_after_its_header_row():
    out = convert("| Wijk | Inwoners[^1] | |\n| --- | ---: | --- |\n| Centrum | 1.200 | x |\n\n[^1]: Op 1 januari.\n")
    assert out.html.startswith('<div class="table-scroll" role="region" tabindex="0" '
                               'aria-label="Tabel: Wijk, Inwoners"><table>\n<thead>\n<tr>\n<th>Wijk</th>\n')
    assert '<td style="text-align: right;">1.200</td>' in out.html
    assert "</table></div>" in out.html
    assert convert("| | |\n| --- | --- |\n| a | b |\n").html.startswith('<div class="table-scroll" role="region" '
                                                                    'tabindex="0" aria-label="Tabel"><table>')


def test_raw_html_and_entities_pass_through_and_text_is_escaped():
    out = convert('Een <abbr title="Gemeentelijke basisadministratie">GBA</abbr>-uittreksel &amp; 3 < 4 "x"\n\n'
                  "<div class=\"let-op\">Let op</div>\n\nRegel een  \nregel twee\n")
    assert '<abbr title="Gemeentelijke basisadministratie">GBA</abbr>-uittreksel &amp; 3 &lt; 4 "x"' in out.html
    assert '<div class="let-op">Let op</div>' in out.html
    assert "Regel een<br>\nregel twee" in out.html  # HTML's void elements, as the rest of the page


def test_definition_lists_and_abbreviations_as_before():
    out = convert("Weging\n: Antwoorden tellen zwaarder of lichter mee.\n\nDe GBA is oud.\n\n"
                  "*[GBA]: Gemeentelijke basisadministratie\n")
    assert "<dl>\n<dt>Weging</dt>\n<dd>Antwoorden tellen zwaarder of lichter mee.</dd>\n</dl>" in out.html
    assert '<abbr title="Gemeentelijke basisadministratie">GBA</abbr>' in out.html


def test_a_heading_or_table_written_as_raw_html_is_left_as_written():
    out = convert('<h2>Eigen kop</h2>\n\n<table><tr><td>x</td></tr></table>\n\n## Kop\n')
    assert "<h2>Eigen kop</h2>" in out.html and "<table><tr><td>x</td></tr></table>" in out.html
    assert [t["id"] for t in out.toc] == ["kop"]


def test_a_footnote_ending_in_a_list_links_back_in_a_paragraph_of_its_own():
    out = convert("Zie[^lijst] en nog eens[^lijst].\n\n[^lijst]: Twee punten:\n\n    - een\n    - twee\n")
    assert out.html.count('class="footnote-backref"') == 1  # one way back, to the first reference
    assert ('<li>twee</li>\n</ul>\n<p>&#160;<a class="footnote-backref" href="#fnref:lijst"') in out.html


# What the pages really hold, and the corners of the syntax: both engines must make the same document.
TRICKY = [
    "Kop\nover twee regels\n===\n\n## Kop met ![beeld](a.png) en `code &amp;`\n\n## Kop  met   ruimte\n",
    'Tekst "tussen aanhalingstekens" en <span title="een &quot;titel&quot;">x</span>.\n\n'
    '```\nzeg "hoi" & <b>\n```\n\n[link](https://example.org "Een \\"titel\\"")\n',
    "Voetnoot in tabel\n\n| Wijk[^w] | Aantal |\n|:--|--:|\n| Noord | 1.200 |\n\n[^w]: Volgens de BRP.\n",
    "Lijst\n\n- een\n\n  met alinea\n- twee\n\n1. eerste\n2. tweede\n\n> Citaat met **vet** en *schuin*\n",
    "Regel met harde  \nbreuk en &copy; &#169; &amp; 3 < 4 > 2\n\n---\n\n"
    "<div class=\"let-op\">\n\n*Markdown* in HTML\n\n</div>\n",
    "Noot[^één] en[^Bron] en[^stap-2] weer[^één].\n\n"
    "[^één]: Een.\n[^bron]: Twee.\n[^stap-2]: Drie.\n[^los]: Nooit genoemd.\n",
    "## Dubbel\n\n## Dubbel\n\n### Dubbel\n\n<https://example.org> en een \\*ster\\*.\n",
]


class _Canonical(HTMLParser):
    """A document as a browser builds it: elements, sorted attributes, text with its whitespace runs
    as one space (HTML renders them so), entities read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self._text: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.events.append(("text", text))
        self._text = []

    def handle_starttag(self, tag, attrs):
        self._flush()
        self.events.append(("start", tag, tuple(sorted(attrs))))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._flush()
        self.events.append(("end", tag))

    def handle_data(self, data):
        self._text.append(data)


def canonical(html: str) -> list[tuple]:
    parser = _Canonical()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.events


def markdown_texts() -> list[tuple[str, str]]:
    texts = [(f"tricky {i}", text) for i, text in enumerate(TRICKY)]
    for path in sorted([*(ROOT / "content").rglob("*.md"), *(ROOT / "panelsite").rglob("*.md")]):
        body = re.sub(r"\A---\n.*?\n---\n", "", path.read_text("utf-8"), flags=re.S)  # the front matter
        texts.append((str(path.relative_to(ROOT)), body))
    return texts


@pytest.mark.parametrize(("name", "text"), markdown_texts(), ids=[name for name, _ in markdown_texts()])
def test_the_fast_engine_makes_the_document_the_complete_engine_makes(name, text):
    fast_html, fast_headings = markdown_cmark.render(text)
    complete_html, complete_headings = markdown_mistune.render(text)
    assert canonical(fast_html) == canonical(complete_html)
    assert fast_headings.toc() == complete_headings.toc()


def test_the_content_is_converted_by_the_fast_engine_except_definitions_and_abbreviations():
    assert markdown_texts()[len(TRICKY):]  # the content is there to compare
    routed = {name: markdown_html._NEEDS_COMPLETE_ENGINE.search(text) is not None for name, text in markdown_texts()}
    assert not any(routed.values()), [name for name, complete in routed.items() if complete]
    assert markdown_html._NEEDS_COMPLETE_ENGINE.search("Weging\n: Antwoorden tellen mee.\n")
    assert markdown_html._NEEDS_COMPLETE_ENGINE.search("De GBA.\n\n*[GBA]: Gemeentelijke basisadministratie\n")
