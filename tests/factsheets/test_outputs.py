"""The outputs of the demo factsheets: web page, tagged PDF, e-mail (HTML and text), measures page."""

from __future__ import annotations

import io
import re
import shutil

import pypdf
import pytest

from panelsite.factsheets import pdf as pdf_mod
from panelsite.factsheets.figures import format_figure

from .conftest import ROOT, Demo

SURVEY = "afval-2026"
BASE = "resultaten/afval-2026/"
WEB_URL = "https://panel.lindenhaven.nl/resultaten/afval-2026/factsheet/"


def computed_highlights(demo: Demo, survey_id: str = SURVEY) -> list[str]:
    """The highlight values as SurveyResults.figure computes them, formatted."""
    fs = demo.inputs.factsheets[survey_id]
    results = demo.inputs.results.of(fs.survey)
    return [format_figure(results.figure(h.figure.question, h.figure.codes, h.figure.stat), h.figure.stat)
            for h in fs.highlights]


# -- web page ---------------------------------------------------------------


def test_every_published_demo_survey_has_a_factsheet_page(demo):
    published = [s.id for s in demo.inputs.results.published]
    assert published and all(f"resultaten/{s}/factsheet/index.html" in demo.outputs for s in published)
    assert demo.site.prepared.factsheet_paths[SURVEY] == BASE + "factsheet/"
    assert any(n.path == "wat-doen-we-ermee/" and n.order == 30 for n in demo.site.navigation)


def test_web_page_shows_figures_measures_and_links_to_the_pdf(demo):
    html = demo.text(BASE + "factsheet/index.html")
    assert '<a class="fs-download" href="../../../resultaten/afval-2026/factsheet.pdf">' in html
    # the link says what the file is and how big
    size = round(len(demo.render(BASE + "factsheet.pdf")) / 1000)
    assert f'factsheet.pdf">Download deze factsheet (PDF, {size} kB)' in html
    for value in computed_highlights(demo):
        assert f'<span class="fs-highlight__value">{value}</span>' in html
    assert html.count('class="fs-status ') == len(demo.inputs.factsheets[SURVEY].measures)
    assert '<span class="visually-hidden">Status: </span>Gedaan' in html  # text, not only colour or icon
    assert "{{" not in html
    # the update about a measure stands with that measure; "Stand van zaken" is for news about the whole survey
    gft = html.split("Gft-bakken in de buurt voor flats in Lindenhof en Noordveld</h3>")[1].split("</li>")[0]
    assert "Nieuws van" in gft and "De eerste zes gft-bakken" in gft
    assert "Stand van zaken" not in html


# -- e-mail -----------------------------------------------------------------


def test_email_html_is_inline_styled_and_at_most_600px(demo):
    html = demo.text(BASE + "factsheet-email.html")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="nl">' in html
    assert re.search(r"<title>[^<]+</title>", html)
    assert "<style" not in html and "<link" not in html and "<img" not in html and "<script" not in html
    assert 'class="' not in html  # mail clients drop stylesheets: no class can carry a style
    tables = re.findall(r"<table[^>]*>", html)
    assert tables and all('role="none presentation"' in t for t in tables)
    assert any("max-width:600px" in t for t in tables)
    widths = [int(w) for w in re.findall(r"width:(\d+)px", html)]
    assert widths and max(widths) <= 600
    # the body's sections sit beside "De belangrijkste cijfers", as on the web page: h2, not h3
    assert re.search(r"<h2 style=\"[^\"]*\">Iets meer tevreden</h2>", html)
    # the inbox preview is a figure, not the intro the mail opens with anyway
    preheader = re.search(r'<!--\[if !mso\]><!--><div style="display:none;[^"]*">([^<&]*)', html).group(1)
    assert preheader.endswith("Lees ook wat de gemeente ermee doet.") and preheader[0].isdigit()
    visible = re.sub(r"<!--.*?-->", "", html, flags=re.S)  # not the Outlook-only table in comments
    for tag in ("h1", "h2", "h3", "p", "a", "td"):
        for element in re.findall(rf"<{tag}\b[^>]*>", visible):
            assert "style=" in element, element


def test_email_links_to_the_web_version_with_absolute_urls(demo):
    html = demo.text(BASE + "factsheet-email.html")
    assert f'href="{WEB_URL}"' in html
    links = re.findall(r'href="([^"]+)"', html)
    assert all(link.startswith(("https://panel.lindenhaven.nl/", "mailto:", "tel:")) for link in links), links


def test_email_text_version(demo):
    text = demo.text(BASE + "factsheet-email.txt")
    fs = demo.inputs.factsheets[SURVEY]
    assert text.startswith(fs.title + "\n" + "=" * len(fs.title))
    assert WEB_URL in text and "https://panel.lindenhaven.nl/resultaten/afval-2026/factsheet.pdf" in text
    for value, h in zip(computed_highlights(demo), fs.highlights):
        assert f"- {value} {h.label}" in text
    for measure in fs.measures:
        assert measure.title in text
    assert "Status: Gedaan" in text and "Status: Gepland" in text and "Status: Niet mogelijk" in text
    assert fs.follow_up[-1].text[:30] in " ".join(text.split())
    # a web address stays whole, on a line of its own (clickable and pasteable)
    assert "\nhttps://panel.lindenhaven.nl/afmelden/\n" in text
    assert all(len(line) <= 72 or line.strip().startswith("https://") for line in text.splitlines())
    assert "<" not in text and "{{" not in text


# -- measures page ----------------------------------------------------------


def test_measures_page_groups_every_measure_by_status(demo):
    html = demo.text("wat-doen-we-ermee/index.html")
    headings = re.findall(r'<h2 id="([a-z-]+)">', html)
    assert headings == ["gedaan", "gepland", "wordt-onderzocht", "niet-mogelijk", "nieuws"]
    sections = dict(zip(headings, re.split(r'<h2 id="[a-z-]+">', html)[1:]))
    wanted = {"taken": "gedaan", "planned": "gepland", "investigating": "wordt-onderzocht",
              "not possible": "niet-mogelijk"}
    published = [s.id for s in demo.inputs.results.published]
    for survey_id in published:
        for measure in demo.inputs.factsheets[survey_id].measures:
            assert measure.title in sections[wanted[measure.status]], measure.title
    assert 'href="../resultaten/afval-2026/factsheet/"' in html and 'href="../resultaten/afval-2026/"' in html
    assert "<strong>Nieuws van <time datetime=" in html
    # an update shows under the measure it is about, and only there
    gft = html.split("Gft-bakken in de buurt voor flats in Lindenhof en Noordveld</h3>")[1].split("</li>")[0]
    assert "De eerste zes gft-bakken" in gft
    assert html.count("De eerste zes gft-bakken") == 1
    textiel = html.split("Textielcontainer bij elke supermarkt</h3>")[1].split("</li>")[0]
    assert "Nieuws van" not in textiel
    # news about a survey as a whole has a section of its own
    assert "De tweede meting van de afvalmonitor is klaar." in sections["nieuws"]


def test_demo_factsheets_show_every_status_and_a_follow_up():
    statuses, follow_ups = set(), 0
    for slug in ("lindenhaven", "heidebeek", "brugwaard"):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as out:
            d = Demo(ROOT, slug, Path(out))
            for s in d.inputs.results.published:
                fs = d.inputs.factsheets[s.id]
                statuses |= {m.status for m in fs.measures}
                follow_ups += len(fs.follow_up)
    assert statuses == {"taken", "planned", "investigating", "not possible"}
    assert follow_ups >= 1


# -- PDF --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(demo) -> bytes:
    return demo.render(BASE + "factsheet.pdf")


def test_pdf_is_tagged_dutch_titled_and_short(demo, pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert root["/Lang"] == "nl"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert reader.metadata.title.startswith(demo.inputs.factsheets[SURVEY].title)
    assert 1 <= len(reader.pages) <= 2
    assert len(pdf) < 500_000
    assert b"pdfuaid:part" in pdf or b"pdfuaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"])
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.get_object()), "font not embedded"


def test_pdf_text_reads_in_order_with_the_computed_figures(demo, pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fs = demo.inputs.factsheets[SURVEY]
    order = [fs.title, "Wat vroegen we en wie deden mee?", "De belangrijkste cijfers"]
    for value, h in zip(computed_highlights(demo), fs.highlights):
        order.append(f"{value} {h.label.split()[0]}")
    order += ["Wat doen we ermee?", fs.measures[0].title, "Nieuws van 5 oktober 2026", "Meer weten?"]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [p for p, i in zip(order, positions) if i == -1]
    assert positions == sorted(positions)
    assert re.search(r"\b\d,\d\b", text)  # a decimal comma (gemiddeld rapportcijfer)
    # no running footer: WeasyPrint would tag it outside the structure tree, not as an artifact
    assert "pagina 1 van" not in text and "· factsheet" not in text
    assert "1.537" in text  # thousands separator: respondents


def test_pdf_bytes_are_reproducible_and_dated_from_publication(demo, pdf, tmp_path):
    from panelsite.factsheets import family as factsheets

    html = factsheets.pdf_html(demo.site, demo.inputs.factsheets[SURVEY])
    again = pdf_mod.render_pdf(html, cache_dir=None, source="x")
    assert again == pdf
    metadata = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert metadata["/CreationDate"] == "D:20260415"  # publish_on
    assert metadata["/ModDate"] == "D:20261005"  # the latest follow-up


def test_pdfs_are_cached_in_the_build_cache_outside_the_output_folder(demo):
    assert demo.site.pdf_cache == demo.options.root / ".panelsite-cache" / "build" / "pdf"


def test_pdf_cache_skips_identical_pdfs_and_rerenders_a_changed_one(project_copy, tmp_path):
    out = tmp_path / "dist"
    paths = [f"resultaten/{s}/factsheet.pdf" for s in ("afval-2025", "afval-2026", "openbare-ruimte-2026")]

    def build() -> dict:
        pdf_mod.stats.update(rendered=0, cached=0)
        d = Demo(project_copy, "lindenhaven", out)
        for path in paths:
            d.render(path)
        return dict(pdf_mod.stats)

    assert build() == {"rendered": 3, "cached": 0}
    assert build() == {"rendered": 0, "cached": 3}
    source = project_copy / "content/lindenhaven/surveys/afval-2026/factsheet.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Iets meer tevreden", "Meer tevreden"),
                      encoding="utf-8")
    assert build() == {"rendered": 1, "cached": 2}
