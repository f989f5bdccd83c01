"""The fast Markdown engine: cmark-gfm (GitHub's C CommonMark parser), and what the pages add.

cmark-gfm parses and writes the HTML; the pages' own parts are then put in on its output, whose
form cmark-gfm fixes: with source positions on, every element it made from Markdown carries a
``data-sourcepos`` attribute, so a heading or table the author wrote as raw HTML is told apart
from one made from Markdown, and left as written.

* a heading gets its id (see markdown_headings);
* a footnote reference says which footnote it is (``aria-label="Voetnoot 1"``) and a footnote
  links back once, with words, in Dutch (cmark-gfm writes an English arrow per reference);
* a table sits in a region that scrolls sideways, named after its header row;
* void elements are written as HTML (``<br>``, not ``<br />``), and quotes in text as quotes.

This gives the same document as the complete engine (markdown_mistune) for everything both read;
tests/foundation/test_markdown_html.py holds them to that over all the content.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import cmarkgfm
from cmarkgfm.cmark import Options

from panelsite.engine.markdown_headings import Headings

_OPTIONS = (Options.CMARK_OPT_UNSAFE  # raw HTML as written: the pages are the municipality's own texts
            | Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_SOURCEPOS
            | Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES)
_EXTENSIONS = ["table"]

_HEADING = re.compile(r'<h([1-6]) data-sourcepos="[^"]*">(.*?)</h\1>', re.DOTALL)
_TABLE = re.compile(r'<table data-sourcepos="[^"]*">\n(.*?)</table>\n', re.DOTALL)
_HEADER_CELL = re.compile(r"<th[ >].*?>(.*?)</th>", re.DOTALL)
_ALIGN = re.compile(r'( style="text-align: (?:left|center|right))"')
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref"><a href="#fn-([^"]*)" id="fnref-\1(?:-(\d+))?" '
                           r'data-footnote-ref>(\d+)</a></sup>')
_FOOTNOTES = re.compile(r'<section class="footnotes" data-footnotes>\n<ol>\n(.*)</ol>\n</section>\n', re.DOTALL)
_FOOTNOTE_ITEM = re.compile(r'^<li id="fn-([^"]*)">\n', re.MULTILINE)
_BACKREFS = re.compile(r'(?: ?<a href="#fnref-[^"]*" class="footnote-backref"[^>]*>↩'
                       r'(?:<sup class="footnote-ref">\d+</sup>)?</a>)+')
_SOURCEPOS = re.compile(r' data-sourcepos="[^"]*"')
_TAG = re.compile(r"<[^>]*>")
_QUOTE_IN_TEXT = re.compile(r"&quot;(?=[^<>]*<)")  # in text, not in an attribute: up to a tag, no ">" between


def render(text: str) -> tuple[str, Headings]:
    """The HTML of a Markdown text, and its headings."""
    out = cmarkgfm.markdown_to_html_with_extensions(text, _OPTIONS, _EXTENSIONS)
    headings = Headings()

    def heading(match: re.Match) -> str:
        level, inner = int(match[1]), match[2]
        heading_id = headings.add(level, _plain(inner))
        return f'<h{level} id="{_attribute(heading_id)}">{inner}</h{level}>'

    out = _HEADING.sub(heading, out)
    if "<table" in out:
        out = _TABLE.sub(_table, out)
        out = _ALIGN.sub(r'\1;"', out)
    if "data-footnotes" in out:
        out = _FOOTNOTES.sub(_footnotes, out)
        out = _FOOTNOTE_REF.sub(_footnote_ref, out)
    if "&quot;" in out:
        out = _QUOTE_IN_TEXT.sub('"', out)  # as the rest of the page writes text: "x", not &quot;x&quot;
    out = _SOURCEPOS.sub("", out).replace(" />", ">")
    return out, headings


def _table(match: re.Match) -> str:
    body = match[1]
    head = body[:body.find("</thead>")]
    headers = [_plain(cell) for cell in _HEADER_CELL.findall(head)]
    label = "Tabel: " + ", ".join(h for h in headers if h) if any(headers) else "Tabel"
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{_attribute(label)}">'
            f"<table>\n{body}</table></div>\n")


def _footnote_ref(match: re.Match) -> str:
    key, repeat, index = _label(match[1]), match[2], match[3]
    # A second reference to the same note gets an id of its own (ids are unique on a page).
    ref_id = f"fnref{repeat}:{key}" if repeat else f"fnref:{key}"
    return (f'<sup id="{ref_id}"><a class="footnote-ref" href="#fn:{key}" '
            f'aria-label="Voetnoot {index}">{index}</a></sup>')


def _footnotes(match: re.Match) -> str:
    parts = _FOOTNOTE_ITEM.split(match[1])  # ["", key, body, key, body, …]
    items = []
    for index, (key, body) in enumerate(zip(parts[1::2], parts[2::2]), start=1):
        key = _label(key)
        body = _BACKREFS.sub("", body.rstrip().removesuffix("</li>")).rstrip()
        # Words give the link a name and a target bigger than an arrow (hidden from screen readers).
        back = (f'&#160;<a class="footnote-backref" href="#fnref:{key}" title="Terug naar voetnoot {index} in de '
                f'tekst"><span aria-hidden="true">↩</span> Terug naar de tekst</a>')
        body = body[:-4] + back + "</p>" if body.endswith("</p>") else body + "\n<p>" + back + "</p>"
        items.append(f'<li id="fn:{key}">\n{body}\n</li>\n')
    return '<div class="footnote">\n<hr>\n<ol>\n' + "".join(items) + "</ol>\n</div>\n"


def _plain(inner: str) -> str:
    """The text of inline HTML as a reader sees it: no markup, no footnote numbers."""
    text = _TAG.sub("", _FOOTNOTE_REF.sub("", inner)) if "<" in inner else inner
    return " ".join(html.unescape(text).split())


def _label(key: str) -> str:
    """A footnote's label as an id part: as the complete engine writes it (lowercase, not %-encoded)."""
    return _attribute(unquote(html.unescape(key)).lower())


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
