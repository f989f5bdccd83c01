"""The forms' part of a site build: embedded forms, form pages and paper PDFs.

A hook module of :mod:`panelsite.results.pages` (it needs the surveys: every
survey with ``collect: true`` becomes a questionnaire).
"""

from __future__ import annotations

from functools import lru_cache

from panelsite.engine.site import Site, digest
from panelsite.forms import form_action, form_pages, form_pdfs, site_forms


def prepare(site: Site) -> None:
    m = site.municipality
    collector = site.collector_url or (m.collector.url if m.collector else None)
    site.extra["forms"] = site_forms(m, m.survey_results.all)
    site.extra["form_action"] = lambda name: form_action(m, name, collector)
    # Questionnaires in fieldwork today, for the home page ("Nu bezig").
    site.extra["open_questionnaires"] = [
        {"title": s.title, "path": site.extra["forms"][f"vragenlijst-{s.id}"].path, "end": s.fieldwork_end}
        for s in m.survey_results.all
        if s.collect and s.fieldwork_start <= site.today <= s.fieldwork_end and f"vragenlijst-{s.id}" in site.extra["forms"]
    ]
    keys = site.extra.setdefault("page_keys", {})
    keys[""] = (*keys.get("", ()), tuple((q["path"], q["end"]) for q in site.extra["open_questionnaires"]))


def add_outputs(site: Site) -> None:
    m = site.municipality
    surveys = m.survey_results.all
    collector = site.collector_url or (m.collector.url if m.collector else None)
    key = digest(*[s.source_hash for s in surveys if s.collect])
    for spec in form_pages(m, surveys, collector):
        site.add_page(spec["path"], spec["template"], key, title=spec["title"], description=spec["description"],
                      context=spec["context"], noindex=spec["noindex"], sitemap=not spec["noindex"])

    @lru_cache(maxsize=1)
    def pdfs() -> dict[str, bytes]:
        # One WeasyPrint pass for all paper forms, only when one of them must be rendered.
        return form_pdfs(m, surveys, lambda template, ctx: site.env.get_template(template).render(**ctx),
                         cache_dir=site.pdf_cache)

    for path in _pdf_paths(site, surveys):
        site.add_file(path, lambda path=path: pdfs()[path], key)


def _pdf_paths(site: Site, surveys) -> list[str]:
    from panelsite.forms.pages import pdf_name

    forms = site.extra["forms"]
    paths = []
    for form in forms.values():
        if form.paper_path and (form.kind == "vragenlijst" or form.id in _paper_forms()):
            paths.append(form.paper_path + pdf_name(form))
    return paths


def _paper_forms():
    from panelsite.forms.pages import PAPER_FORMS

    return PAPER_FORMS
