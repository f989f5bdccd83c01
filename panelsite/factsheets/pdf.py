"""The factsheet as a tagged PDF: at most two A4 pages, rendered and cached by :mod:`panelsite.engine.pdf`.

The PDF is rendered from a standalone HTML page (template ``pdf/factsheet.html``)
that carries everything it needs: the stylesheet inline and the logo as a data
URI, so the HTML is the whole input of the cache key.
"""

from __future__ import annotations

from pathlib import Path

from panelsite.engine import pdf as _pdf
from panelsite.errors import ConfigError, Problem

MAX_PAGES = 2
PDF_OPTIONS = _pdf.PDF_OPTIONS
stats = _pdf.stats
cache_key = _pdf.cache_key


def render_pdf(html: str, *, cache_dir: Path | None, source: str) -> bytes:
    """PDF bytes of the factsheet page; ``source`` names the factsheet in errors."""

    def at_most_two_pages(document) -> None:
        if len(document.pages) > MAX_PAGES:
            raise ConfigError(Problem(source, f"the PDF factsheet would have {len(document.pages)} pages "
                                              f"(expected at most {MAX_PAGES} A4 pages: "
                                              "shorten the text or the measures)"))

    return _pdf.render_pdf(html, cache_dir=cache_dir, check=at_most_two_pages)
