"""The factsheets' page family: one source (``factsheet.md``), three outputs, and the measures overview.

Per published survey with a ``factsheet.md``:

* ``resultaten/<id>/factsheet/`` — web page (``factsheet.html``);
* ``resultaten/<id>/factsheet.pdf`` — A4 tagged PDF/UA-1 (``pdf/factsheet.html``, see :mod:`.pdf`);
* ``resultaten/<id>/factsheet-email.html`` and ``.txt`` — the e-mail (``email/factsheet.*``).

Across surveys: ``wat-doen-we-ermee/`` lists every measure by status (``measures.html``).

:func:`load` reads and checks every survey's factsheet, published or not, so mistakes show
early; :func:`prepare` tells the results pages where the factsheets are. Figures are
computed only when an output is really rendered.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from panelsite import i18n
from panelsite.engine import navigation as menu
from panelsite.engine.family import SiteInputs
from panelsite.engine.hashing import digest
from panelsite.engine.site import NavItem, Site
from panelsite.errors import ConfigError, Problem, warn
from panelsite.factsheets import email as mail
from panelsite.factsheets.figures import Figures
from panelsite.factsheets.measures import STATUSES, measure_view, overview, survey_news
from panelsite.factsheets.pdf import render_pdf
from panelsite.factsheets.source import Factsheet, load_factsheets, scaffold_problems

MEASURES_PATH = menu.MEASURES.path
MEASURES_TITLE = menu.MEASURES.title


def load(options, inputs: SiteInputs) -> None:
    """Read and check the factsheet of every survey (``inputs.factsheets``); raises with all problems.

    A measure still planned or being looked into after its expected date is a warning:
    residents read "Verwacht: april tot en met juni 2026" in December as a promise broken.
    """
    inputs.factsheets = load_factsheets(inputs.results.all, options.root)
    if not options.drafts:  # a site for the public: nothing of the example goes out
        problems = [p for fs in inputs.factsheets.values() if not fs.draft and not fs.survey.draft
                    for p in scaffold_problems(fs, (options.root / fs.file).read_text(encoding="utf-8-sig"))]
        if problems:
            raise ConfigError(problems)
    for s in inputs.results.published:
        if s.id in inputs.factsheets and not s.has_responses:
            warn(Problem(inputs.factsheets[s.id].file, f"not published yet: survey {s.id} has no responses.csv, "
                                                       "so every figure would read \"–\""))
    for fs in published(inputs):
        for i, measure in enumerate(fs.measures):
            late = measure.expected and measure.expected.last_day < options.today
            if measure.status in ("planned", "investigating") and late:
                key = f"measures.{i}.expected"
                warn(Problem(fs.file, f"\"{measure.title}\" was expected by {i18n.date(measure.expected.last_day)} "
                                      f"and is still {measure.status}; update its status, expected date or a follow_up",
                             line=fs.located.line(key) if fs.located else None, key=key))


def published(inputs: SiteInputs) -> list[Factsheet]:
    """The factsheets residents get: of published surveys that have responses.

    Without responses every figure would read "–": the factsheet waits (with a warning,
    see load) while the results page says the results follow.
    """
    sheets = inputs.factsheets
    return [sheets[s.id] for s in inputs.results.published if s.id in sheets and s.has_responses
            and (inputs.results.drafts or not sheets[s.id].draft)]


def navigation() -> list[NavItem]:
    return [menu.MEASURES]  # declared in engine/navigation.py, where the collector reads it too


def prepare(site: Site) -> None:
    """``site.prepared.factsheet_paths``: survey id → factsheet page, for the results pages."""
    site.prepared.factsheet_paths = {fs.survey.id: fs.path for fs in published(site.inputs)}


def add_outputs(site: Site) -> None:
    sheets = published(site.inputs)
    for fs in sheets:
        _add_factsheet(site, fs)
    _add_measures_page(site, sheets)


# --------------------------------------------------------------------------
# one factsheet


def _add_factsheet(site: Site, fs: Factsheet) -> None:
    description = f"De belangrijkste uitkomsten van het onderzoek '{fs.survey.title}' en wat de gemeente ermee doet."
    logo = (site.municipality.config_dir / site.municipality.brand.logo.file).read_bytes()  # inside the PDF
    # change() compares with the previous round: the outputs depend on the whole series
    key = (fs.key, site.inputs.results.series_key(fs.survey))
    # The page gives the PDF's size in its link, so it depends on everything the PDF does.
    site.add_page(fs.path, "factsheet.html", *key, logo, title=fs.title, description=description,
                  context=lambda: web_context(site, fs), source=fs.file)
    site.add_file(fs.pdf_path, lambda: pdf_bytes(site, fs), *key, logo, source=fs.file)
    site.add_file(fs.email_path + ".html", lambda: email_html(site, fs).encode(), *key, source=fs.file)
    site.add_file(fs.email_path + ".txt", lambda: email_text(site, fs).encode(), *key, source=fs.file)


def view(site: Site, fs: Factsheet, url) -> dict:
    """What every output of a factsheet shows; ``url(path)`` makes links (relative or absolute)."""
    m = site.municipality
    results = site.inputs.results.of(fs.survey)
    figures = Figures(fs, results, site.inputs.results.changes(fs.survey))
    w = results.weighting
    survey = fs.survey
    period = i18n.date_range(survey.fieldwork_start, survey.fieldwork_end)
    rate = i18n.percent(w.response_rate, 0) if w.response_rate is not None else None
    if w.n:
        who = (f"{i18n.number(w.n)} van de {i18n.number(w.invited)} uitgenodigde panelleden vulden de vragenlijst in"
               + (f" ({rate})" if rate else "") + f". Dat was van {period}.")
    else:
        who = f"We hebben {i18n.number(w.invited)} panelleden uitgenodigd. De uitkomsten volgen binnenkort."
    return {
        "factsheet": fs, "survey": survey, "results": results, "weighting": w,
        "fs_title": fs.title, "intro": fs.intro or survey.summary,
        "who": who, "period": period, "response_rate": rate, "has_responses": results.has_responses,
        "highlights": figures.highlights() if results.has_responses else [],
        "body": figures.body_html(m, url),
        # An update about a measure shows with it, newest first; "Stand van zaken" keeps the
        # news about the survey as a whole.
        "measures": [{**measure_view(x),
                      "follow_ups": [f for f in reversed(fs.follow_up) if f.get("measure") == x.title]}
                     for x in fs.measures],
        "follow_ups": [f for f in reversed(fs.follow_up) if not f.get("measure")],
        "statuses": STATUSES,
        "results_url": url(f"resultaten/{survey.id}/"),
        "factsheet_url": url(fs.path),
        "pdf_url": url(fs.pdf_path),
        "measures_url": url(MEASURES_PATH),
        "web_url": site.base_url + fs.path,
        "site_url": site.base_url,
        "published": survey.publish_on,
        "palette": m.palette,
        "figures": figures,
    }


def web_context(site: Site, fs: Factsheet) -> dict:
    from panelsite.engine.render import url_functions

    url, _ = url_functions(fs.path)
    # "PDF, 84 kB": a resident on a phone plan decides before downloading. The PDF is rendered
    # (or taken from the cache) here, before its own output, which then finds it in the cache.
    size = len(pdf_bytes(site, fs))
    return {**view(site, fs, url), "pdf_size": f"{i18n.number(max(1, round(size / 1000)))} kB"}


def _absolute(site: Site):
    return lambda path: site.base_url + path


def pdf_html(site: Site, fs: Factsheet) -> str:
    """The standalone page WeasyPrint renders: stylesheet inline, logo as data URI, fixed dates."""
    m = site.municipality
    context = view(site, fs, _absolute(site))
    dates = [fs.survey.publish_on] + [f.date for f in fs.follow_up]
    context.update(created=fs.survey.publish_on.isoformat(), modified=max(dates).isoformat(),
                   logo=_data_uri(m.config_dir / m.brand.logo.file))
    return site.env.get_template("pdf/factsheet.html").render(**context)


def pdf_bytes(site: Site, fs: Factsheet) -> bytes:
    return render_pdf(pdf_html(site, fs), cache_dir=site.pdf_cache, source=fs.file)


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode()


def email_context(site: Site, fs: Factsheet) -> dict:
    m = site.municipality
    context = view(site, fs, _absolute(site))
    style = mail.styles(m.palette, m.brand.font)
    context.update(style=style, body=mail.inline_styles(str(context["body"]), style))
    return context


def email_html(site: Site, fs: Factsheet) -> str:
    return site.env.get_template("email/factsheet.html").render(**email_context(site, fs))


def email_text(site: Site, fs: Factsheet) -> str:
    context = view(site, fs, _absolute(site))
    context.update(body_text=mail.markdown_to_text(context["figures"].body_markdown(site.municipality), site.base_url),
                   wrap=mail.wrap)
    return site.env.get_template("email/factsheet.txt").render(**context)


# --------------------------------------------------------------------------
# the measures overview


def _add_measures_page(site: Site, sheets: list[Factsheet]) -> None:
    key = digest(*[(fs.key, fs.survey.publish_on) for fs in sheets])

    def context() -> dict:
        groups = overview(sheets)
        return {"groups": groups, "total": sum(len(g["measures"]) for g in groups), "news": survey_news(sheets)}

    site.add_page(MEASURES_PATH, "measures.html", key, title=MEASURES_TITLE,
                  description=f"Wat de gemeente {site.municipality.name} doet met de uitkomsten van "
                              f"{site.municipality.panel_name}: alle maatregelen en hoe het ermee staat.",
                  context=context)

