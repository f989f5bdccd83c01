"""Markdown → HTML for content pages and factsheets.

CommonMark with tables, footnotes, definition lists and abbreviations, raw HTML passed on as
written (the pages are the municipality's own texts), and what the pages add:

* every heading gets an id made from its text, and the h2 and h3 headings make the table of
  contents (see markdown_headings);
* a footnote reference says which footnote it is (``aria-label="Voetnoot 1"``: a bare "1" is
  all a screen reader would announce) and a footnote links back with words, in Dutch;
* a table sits in a region that scrolls sideways on a narrow screen (see theme.css), a tab
  stop named after its header row so a screen reader tells the regions apart.

Two engines write the same document: cmark-gfm (markdown_cmark), about twenty times faster, for
every text it reads; mistune (markdown_mistune) for a text with a definition list or an
abbreviation, which cmark-gfm has no extension for.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from panelsite.engine.markdown_headings import TOC_LEVELS, slugify

__all__ = ["TOC_LEVELS", "Converted", "convert", "slugify"]

# A definition (a line starting ": ") or an abbreviation ("*[GBA]: …"); a false alarm only costs speed.
_NEEDS_COMPLETE_ENGINE = re.compile(r"^(?: {0,3}: |\*\[)", re.MULTILINE)


@dataclass(frozen=True)
class Converted:
    html: str
    toc: list[dict] = field(default_factory=list)


@functools.lru_cache(maxsize=256)
def convert(text: str) -> Converted:
    """The HTML of a Markdown text and the table of contents of its h2/h3 headings.

    A shared page whose text does not depend on the municipality is converted once per
    process, not once per site: the result is the same, so callers only read it.
    """
    if _NEEDS_COMPLETE_ENGINE.search(text):
        from panelsite.engine import markdown_mistune as engine
    else:
        from panelsite.engine import markdown_cmark as engine
    html, headings = engine.render(text)
    return Converted(html.rstrip("\n"), headings.toc())
