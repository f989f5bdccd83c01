"""Tagged PDFs (PDF/UA-1) with WeasyPrint, reproducible and cached by content.

Used for the factsheets and the paper forms. A PDF is named in
``<out>/.panelsite/pdf-cache/`` by ``sha256(HTML, files it loads, WeasyPrint
version, options)``, so an identical document is never rendered twice, even
when the rest of the site changed or the output folder is new to the page.

Reproducible bytes: dates come from the page's ``dcterms.created`` /
``dcterms.modified`` meta tags, the file identifier is a hash of the content
(``pdf_identifier=True``), and WeasyPrint names font subsets by a hash too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from .site import digest

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_identifier": True}

# How many PDFs this process rendered and took from the cache (for tests and benchmarks).
stats = {"rendered": 0, "cached": 0}


def cache_key(html: str, *inputs: object) -> str:
    import weasyprint

    return digest(html, weasyprint.__version__, sorted(PDF_OPTIONS.items()), *inputs)


def render_pdf(html: str, *, cache_dir: Path | None, base_url: str | None = None, inputs: tuple = (),
               check: Callable | None = None) -> bytes:
    """PDF bytes of an HTML page.

    ``inputs`` are the bytes of files the page loads through ``base_url`` (a
    logo), so they are part of the cache key; ``check(document)`` may raise
    before the PDF is written (a factsheet that runs past two pages).
    """
    key = cache_key(html, base_url is not None, *inputs)
    cached = cache_dir / f"{key}.pdf" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        stats["cached"] += 1
        return cached.read_bytes()
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url).render()
    if check is not None:
        check(document)
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
