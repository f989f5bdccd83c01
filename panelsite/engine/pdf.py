"""Tagged PDFs (PDF/UA-1) with WeasyPrint, reproducible and cached by content.

Used for the factsheets and the paper forms. A PDF is named in the build cache's
``pdf/`` folder (engine/cache.py; ``--cache-dir``) by ``sha256(HTML, files it loads,
WeasyPrint version, options)``, so an identical document is never rendered twice, even
when the rest of the site changed or the output folder is new (a clean CI build).
Each file holds the PDF behind its checksum (engine/cache.py: ``read_entry``): one that
is cut short or damaged is rendered and written again.

Reproducible bytes: dates come from the page's ``dcterms.created`` /
``dcterms.modified`` meta tags, the file identifier is a hash of the content
(``pdf_identifier=True``), and WeasyPrint names font subsets by a hash too.

Pruning: the pipeline records with each output which cached PDFs it used
(:func:`keys_used`); the PDFs some municipality's manifest names are kept, the others
once no build used them for a while (engine/cache.py, :func:`~panelsite.engine.cache.prune`).

Speed: one WeasyPrint ``FontConfiguration`` serves every PDF a process renders
(see :func:`_font_config`); most of the rest is WeasyPrint's own layout.
"""

from __future__ import annotations

import functools
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from panelsite.engine.cache import read_entry, write_entry
from panelsite.engine.hashing import digest

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_identifier": True}

# How many PDFs this process rendered and took from the cache (for tests and benchmarks).
stats = {"rendered": 0, "cached": 0}

# Key sets of the open keys_used() blocks.
_recorders: list[set[str]] = []


def cache_key(html: str, *inputs: object) -> str:
    return digest(html, _weasyprint_version(), sorted(PDF_OPTIONS.items()), *inputs)


@functools.cache
def _weasyprint_version() -> str:
    """From the package's metadata: a cached PDF is found without importing WeasyPrint (0.4 s)."""
    from importlib import metadata

    return metadata.version("weasyprint")


@functools.cache
def load_weasyprint():
    """The ``weasyprint`` module, imported without ctypes starting gcc and ld.

    WeasyPrint opens Pango, HarfBuzz and fontconfig through cffi under several names
    each ("libgobject-2.0-0", "gobject-2.0", … "libgobject-2.0.so.0"). cffi hands every name
    that the dynamic loader does not open as it is to ``ctypes.util.find_library``, which on
    Linux runs ``ldconfig -p`` and then gcc and ld for each: 16 compiler runs and a fifth of a
    second of CPU, every process. While it is imported, ``find_library`` therefore answers
    "not found" at once, and the loader opens the names with a version suffix
    ("libgobject-2.0.so.0", found along LD_LIBRARY_PATH and the loader's cache as ever). Should
    that fail on some system, the import is tried again as WeasyPrint does it.
    """
    import sys

    if sys.platform.startswith("linux") and "weasyprint" not in sys.modules:
        import ctypes.util

        original = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            import weasyprint
        except OSError:
            for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
                del sys.modules[name]
        else:
            return weasyprint
        finally:
            ctypes.util.find_library = original
    import weasyprint

    return weasyprint


def render_pdf(html: str, *, cache_dir: Path | None, base_url: str | None = None, inputs: tuple = (),
               check: Callable | None = None) -> bytes:
    """PDF bytes of an HTML page.

    ``inputs`` are the bytes of files the page loads through ``base_url`` (a
    logo), so they are part of the cache key; ``check(document)`` may raise
    before the PDF is written (a factsheet that runs past two pages).
    """
    key = cache_key(html, base_url is not None, *inputs)
    cached = cache_dir / f"{key}.pdf" if cache_dir is not None else None
    if cached is not None:
        for keys in _recorders:
            keys.add(key)
        data = read_entry(cached)
        if data is not None:
            stats["cached"] += 1
            return data
    document = load_weasyprint().HTML(string=html, base_url=base_url).render(font_config=_font_config())
    if check is not None:
        check(document)
    data = document.write_pdf(**PDF_OPTIONS)
    stats["rendered"] += 1
    if cached is not None:
        write_entry(cached, data)
    return data


@contextmanager
def keys_used() -> Iterator[set[str]]:
    """The cache keys of the PDFs made inside the block, rendered or taken from the cache.

    The pipeline keeps them with the output in the manifest, so they stay
    known while a later build reuses the output without rendering it.
    """
    keys: set[str] = set()
    _recorders.append(keys)
    try:
        yield keys
    finally:
        _recorders.remove(keys)


_fonts = threading.local()  # .pid and .config of this thread's FontConfiguration


def _font_config():
    """The FontConfiguration this process renders with, created once.

    A new one per PDF (WeasyPrint's default) loads fontconfig's configuration
    and a fresh Pango font map that has to open and measure the fonts again:
    a fifth of a paper form's render time. The shared one only caches what
    the system fonts look like, so the bytes stay the same. A page with
    ``@font-face`` adds its fonts to the configuration, though, so after such
    a page the next one gets a fresh configuration and never sees them.
    Kept per process (a forked worker must not use its parent's Pango
    objects) and per thread (a Pango font map is not thread-safe).
    """
    config = getattr(_fonts, "config", None)
    if config is None or config.added_font_faces or _fonts.pid != os.getpid():
        _fonts.config, _fonts.pid = _system_fonts_class()(), os.getpid()
    return _fonts.config


@functools.cache
def _system_fonts_class():
    """A FontConfiguration that notes ``@font-face`` (defined late: WeasyPrint is imported lazily)."""
    load_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    class SystemFonts(FontConfiguration):
        added_font_faces = False

        def add_font_face(self, rule_descriptors, url_fetcher):
            self.added_font_faces = True
            return super().add_font_face(rule_descriptors, url_fetcher)

    return SystemFonts
