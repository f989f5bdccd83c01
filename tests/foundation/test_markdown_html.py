"""Markdown → HTML (panelsite.engine.markdown_html): what the pages and their table of contents rely on."""

import re

from panelsite.engine.markdown_html import convert


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
