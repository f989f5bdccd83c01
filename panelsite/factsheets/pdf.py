"""The factsheet as a tagged PDF (PDF/UA-1) with WeasyPrint, reproducible and cached.

The PDF is rendered from a standalone HTML page (template ``pdf/factsheet.html``)
that carries everything it needs: the stylesheet inline and the logo as a data
URI. That makes the HTML the whole input, so ``sha256(HTML + WeasyPrint version)``
names the PDF in ``<out>/.panelsite/pdf-cache/``: an identical factsheet is never
rendered twice, even when the rest of the site changed.

Reproducible bytes: the creation and modification dates come from the page's
``dcterms.created``/``dcterms.modified`` meta tags (the survey's publication
date and its latest follow-up), the file identifier is a hash of the content
(``pdf_identifier=True``), and WeasyPrint names font subsets by a hash too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import ConfigError, Problem
from ..site import digest

MAX_PAGES = 2
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_identifier": True}

# How many PDFs this process rendered and took from the cache (for tests and the benchmark).
stats = {"rendered": 0, "cached": 0}


def cache_key(html: str) -> str:
    import weasyprint

    return digest(html, weasyprint.__version__, sorted(PDF_OPTIONS.items()))


def render_pdf(html: str, *, cache_dir: Path | None, source: str) -> bytes:
    """PDF bytes of a standalone HTML page; ``source`` names the factsheet in errors."""
    key = cache_key(html)
    cached = cache_dir / f"{key}.pdf" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        stats["cached"] += 1
        return cached.read_bytes()
    from weasyprint import HTML

    document = HTML(string=html, base_url=None).render()
    if len(document.pages) > MAX_PAGES:
        raise ConfigError(Problem(source, f"the PDF factsheet would have {len(document.pages)} pages "
                                          f"(expected at most {MAX_PAGES} A4 pages: shorten the text or the measures)"))
    data = document.write_pdf(**PDF_OPTIONS)
    stats["rendered"] += 1
    if cached is not None:
        _write_atomic(cached, data)
    return data


def _write_atomic(path: Path, data: bytes) -> None:
    """Several build processes may share the cache: write beside it, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".pdf-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
