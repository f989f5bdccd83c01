"""The PDF cache of panelsite.engine.pdf: which PDFs a build used, pruning the rest, one font setup per process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pypdf

from panelsite.engine import cache as cache_module
from panelsite.engine import pdf
from panelsite.engine.cache import read_entry

ROOT = Path(__file__).resolve().parents[2]


def page(text: str, style: str = "") -> str:
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{text}</title>'
            f'<style>{style} p {{ font-family: "Eigen Letter", sans-serif; }}</style></head>'
            f"<body><p>{text}</p></body></html>")


def font_names(data: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return {str(font.get_object()["/BaseFont"]).split("+", 1)[1]
            for p in reader.pages for font in p["/Resources"]["/Font"].values()}


# -- which PDFs were used -------------------------------------------------------


def test_keys_used_names_rendered_and_cached_pdfs(tmp_path):
    cache = tmp_path / "pdf-cache"
    with pdf.keys_used() as rendered:
        pdf.render_pdf(page("Een"), cache_dir=cache)
    with pdf.keys_used() as cached:
        pdf.render_pdf(page("Een"), cache_dir=cache)
        pdf.render_pdf(page("Twee"), cache_dir=cache)
    one = pdf.cache_key(page("Een"), False)
    assert rendered == {one}
    assert cached == {one, pdf.cache_key(page("Twee"), False)}
    assert {p.stem for p in cache.iterdir()} == cached


def test_keys_used_ignores_pdfs_made_outside_the_block_or_without_cache(tmp_path):
    pdf.render_pdf(page("Een"), cache_dir=tmp_path)
    with pdf.keys_used() as keys:
        pdf.render_pdf(page("Twee"), cache_dir=None)
    assert keys == set()


# -- pruning (engine/cache.py: tests/foundation/test_build_cache.py) --------------------------


# -- one font configuration per process ---------------------------------------------


def test_a_font_face_of_one_pdf_does_not_reach_the_next(tmp_path):
    face = ('@font-face { font-family: "Eigen Letter"; '
            'src: url("file:///usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"); }')
    before = pdf.render_pdf(page("Hallo"), cache_dir=None)
    with_face = pdf.render_pdf(page("Hallo", face), cache_dir=None)
    after = pdf.render_pdf(page("Hallo"), cache_dir=None)
    assert font_names(with_face) == {"Eigen-Letter"}
    assert "Eigen-Letter" not in font_names(after)
    assert after == before


def test_bytes_do_not_depend_on_what_the_process_rendered_before():
    pdf.render_pdf(page("Eerst iets anders, vet en schuin", "p { font-weight: bold; font-style: italic; }"),
                   cache_dir=None)
    here = pdf.render_pdf(page("Hallo"), cache_dir=None)
    code = ("import sys; from panelsite.engine import pdf; from tests.factsheets.test_pdf_cache import page; "
            "sys.stdout.buffer.write(pdf.render_pdf(page('Hallo'), cache_dir=None))")
    fresh = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True).stdout
    assert here == fresh


# -- pruning after a build ------------------------------------------------------------


def build(root, out) -> None:
    """``build.py --only lindenhaven`` as of the demo's build date (tests/conftest.py)."""
    import datetime as dt

    from panelsite.engine import pipeline

    options = pipeline.Options(root=root, out=out, only=["lindenhaven"], jobs=1, progress=False,
                               today=dt.date(2026, 11, 28))
    pipeline.build(options)


def age(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def test_a_build_removes_the_pdfs_no_build_used_for_a_month(project_copy, tmp_path):
    out = tmp_path / "dist"
    cache = project_copy / ".panelsite-cache" / "build" / "pdf"  # outside dist/: a clean build finds them
    build(project_copy, out)
    first = {p.name for p in cache.iterdir()}
    assert len(first) == 5  # three factsheets, the sign-up form, one questionnaire
    build(project_copy, out)  # every output reused: nothing rendered, so nothing recorded anew
    assert {p.name for p in cache.iterdir()} == first
    source = project_copy / "content/lindenhaven/surveys/afval-2026/factsheet.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Iets meer tevreden", "Meer tevreden"),
                      encoding="utf-8")
    build(project_copy, out)
    second = {p.name for p in cache.iterdir()}
    assert len(second) == 6 and first < second  # the old version too: serve or another dist/ may use it
    published = (out / "lindenhaven/resultaten/afval-2026/factsheet.pdf").read_bytes()
    assert read_entry(cache / (second - first).pop()) == published
    for name in second:
        age(cache / name, cache_module.KEEP_DAYS + 1)
    build(project_copy, out)
    third = {p.name for p in cache.iterdir()}
    assert len(third) == 5 and third < second  # the manifests name the five in use, however old


def test_an_only_build_keeps_the_pdfs_of_the_other_municipalities(project_copy, tmp_path):
    out = tmp_path / "dist"
    cache = project_copy / ".panelsite-cache" / "build" / "pdf"
    cache.mkdir(parents=True)
    (out / ".panelsite").mkdir(parents=True)
    (out / ".panelsite" / "brugwaard.json").write_text(
        '{"resultaten/x/factsheet.pdf": {"key": "k", "links": [], "pdfs": ["brugwaards-pdf"]}}')
    for name in ("brugwaards-pdf.pdf", "from-an-old-edit.pdf"):
        (cache / name).write_bytes(b"%PDF-")
        age(cache / name, cache_module.KEEP_DAYS + 1)
    build(project_copy, out)
    names = {p.name for p in cache.iterdir()}
    assert "brugwaards-pdf.pdf" in names and "from-an-old-edit.pdf" not in names
    assert len(names) == 6


def test_weasyprint_is_loaded_without_starting_a_compiler():
    """ctypes' find_library would run ldconfig, gcc and ld for each name WeasyPrint tries (issue 20)."""
    script = (
        "import subprocess, sys\n"
        "started = []\n"
        "sys.addaudithook(lambda event, args: started.append(args[1]) if event == 'subprocess.Popen' else None)\n"
        "from panelsite.engine import pdf\n"
        "data = pdf.render_pdf('<!doctype html><html lang=\"nl\"><title>t</title><p>Hallo</p></html>', cache_dir=None)\n"
        "print(data[:5].decode(), started)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "%PDF- []"


def test_a_cached_pdf_is_read_without_importing_weasyprint(tmp_path):
    html = page("Uit de cache")
    first = pdf.render_pdf(html, cache_dir=tmp_path)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from panelsite.engine import pdf\n"
        f"data = pdf.render_pdf({html!r}, cache_dir=Path({str(tmp_path)!r}))\n"
        "print(len(data), pdf.stats['cached'], 'weasyprint' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [str(len(first)), "1", "False"]
