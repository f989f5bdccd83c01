"""The forms' page family: embedded forms, form pages and paper PDFs.

It needs the surveys (``inputs.results``): every survey with ``collect: true`` becomes a
questionnaire. The only module of panelsite.forms that uses the build engine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from panelsite.engine import pdf, render
from panelsite.engine.family import SiteInputs
from panelsite.engine.hashing import digest
from panelsite.engine.site import NavItem, Site
from panelsite.forms import form_action, form_pages, site_forms
from panelsite.forms.pages import has_paper_pdf, pdf_name
from panelsite.surveys import fieldwork


def load(options, inputs: SiteInputs) -> None:
    """Nothing of its own to read: the forms settings are configuration, the questionnaires surveys."""


def navigation() -> list[NavItem]:
    return []  # the sign-up page is a content page with form: aanmelden, in the menu by its own nav_order


def prepare(site: Site) -> None:
    """The site's forms, where they post, and the questionnaires open today (for the home page)."""
    m = site.municipality
    collector = _collector(site)
    surveys = site.inputs.results.live  # a draft survey's questionnaire waits with it
    forms = site.prepared.forms = site_forms(m, surveys)
    site.prepared.form_action = lambda name: form_action(m, name, collector)
    site.prepared.open_questionnaires = [
        {"title": s.title, "path": forms[f"vragenlijst-{s.id}"].path, "end": s.fieldwork_end}
        for s in surveys
        if s.collect and s.fieldwork_start <= site.today <= s.fieldwork_end and f"vragenlijst-{s.id}" in forms
    ]
    site.prepared.upcoming_questionnaires = [
        {"title": s.title, "start": s.fieldwork_start, "end": s.fieldwork_end}
        for s in sorted(surveys, key=lambda s: s.fieldwork_start)
        if s.collect and site.today < s.fieldwork_start and f"vragenlijst-{s.id}" in forms
    ]
    site.prepared.add_page_key("", tuple((q["path"], q["end"]) for q in site.prepared.open_questionnaires),
                               tuple((q["title"], q["start"]) for q in site.prepared.upcoming_questionnaires))


def add_outputs(site: Site) -> None:
    m = site.municipality
    surveys = site.inputs.results.live  # a draft's questionnaire is not published either
    # Whether each questionnaire is closed on the build date is part of its page.
    key = digest(*[(s.source_hash, fieldwork.closed_on(s, site.today)) for s in surveys if s.collect])
    for spec in form_pages(m, surveys, _collector(site), site.today):
        site.add_page(spec["path"], spec["template"], key, title=spec["title"], description=spec["description"],
                      context=spec["context"], noindex=spec["noindex"], sitemap=not spec["noindex"])

    @lru_cache(maxsize=1)
    def pdfs() -> dict[str, bytes]:
        # One WeasyPrint pass for all paper forms, only when one of them must be rendered.
        return form_pdfs(m, surveys, lambda template, ctx: site.env.get_template(template).render(**ctx),
                         cache_dir=site.pdf_cache)

    for form in site.prepared.forms.values():
        if form.paper_path and has_paper_pdf(form):
            path = form.paper_path + pdf_name(form)
            site.add_file(path, lambda path=path: pdfs()[path], key)


def _collector(site: Site) -> str | None:
    return site.collector_url or site.municipality.collector.url


def form_pdfs(municipality, surveys, render_html=None, cache_dir=None) -> dict[str, bytes]:
    """``{"vragenlijst/<id>/papier/vragenlijst-<id>.pdf": bytes, …}``: tagged PDFs (PDF/UA-1) of the paper versions.

    ``render_html(template_name, context) -> str`` renders with the site's Jinja
    environment; without it the municipality's theme environment is used.
    """
    if render_html is None:
        env = render.environment(municipality.root, municipality)

        def render_html(name: str, context: dict) -> str:
            return env.get_template(name).render(**context)

    out = {}
    config_dir = Path(municipality.config_dir)
    logo = config_dir / municipality.brand.logo.file
    for form in site_forms(municipality, surveys).values():
        if not has_paper_pdf(form):
            continue
        html = render_html("forms/paper_pdf.html", {"form": form, "site": municipality})
        out[form.paper_path + pdf_name(form)] = pdf.render_pdf(
            html, cache_dir=cache_dir, base_url=str(config_dir) + "/",
            inputs=(logo.read_bytes() if logo.is_file() else b"",))
    return out
