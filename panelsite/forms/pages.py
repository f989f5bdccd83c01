"""The pages the site build renders for the forms, and the paper PDFs.

``form_pages`` lists every page as ``{"path", "template", "title", "description",
"context"}``; the build renders them with its own Jinja environment (the
templates live in themes/default/templates/forms/). The page family
(panelsite.forms.family) turns the printable versions into tagged PDFs.
"""

from __future__ import annotations

from panelsite import i18n
from panelsite.forms.model import Form
from panelsite.surveys import fieldwork

CONFIRMED_PATH = "bedankt/bevestigd/"
EXPIRED_PATH = "bedankt/link-verlopen/"
PAPER_FORMS = ("aanmelden",)  # besides every questionnaire


def form_action(municipality, form_id: str, collector_url: str | None = None) -> str | None:
    """The URL a form posts to: ``<collector>/<slug>/<form>``; None without a collector."""
    base = collector_url or municipality.collector.url
    if not base:
        return None
    return f"{base.rstrip('/')}/{municipality.slug}/{form_id}"


def pdf_name(form: Form) -> str:
    return f"{form.id}.pdf"


def has_paper_pdf(form: Form) -> bool:
    """Every questionnaire has a printable PDF, and of the built-in forms the sign-up."""
    return form.kind == "vragenlijst" or form.id in PAPER_FORMS


CLOSED_TITLE = "Deze vragenlijst is gesloten"


def closed_text(survey) -> str:
    """What a closed questionnaire says, on the built page and on the collector's 410 page."""
    results = f" De uitkomsten staan vanaf {i18n.date(survey.publish_on)} op de website." if survey.publish_on else ""
    return (f"U kon deze vragenlijst invullen tot en met {i18n.date(survey.fieldwork_end)}. Nu kan dat niet meer."
            f"{results} Bedankt voor uw interesse.")


def form_pages(municipality, surveys, collector_url: str | None = None, today=None) -> list[dict]:
    """``today`` (the build date): a questionnaire whose fieldwork ended before it is built as a
    page that says it is closed and when the results come, without the form."""
    from panelsite.forms import site_forms

    forms = site_forms(municipality, surveys)
    pages: list[dict] = []
    home = {"path": "", "text": f"Naar de startpagina van {municipality.panel_name}"}
    for form in forms.values():
        action = form_action(municipality, form.id, collector_url)
        if form.kind == "vragenlijst" and today is not None and fieldwork.closed_on(form.survey, today):
            pages.append(_page(form.path, "forms/thanks.html", f"{CLOSED_TITLE}: {form.title}",
                               f"De vragenlijst '{form.title}' is gesloten.", heading=CLOSED_TITLE,
                               paragraphs=[f"Het gaat om de vragenlijst '{form.title}'.", closed_text(form.survey)],
                               links=[home]))
        elif form.kind == "vragenlijst":
            pages.append(_page(form.path, "forms/questionnaire.html", form.title,
                               f"Vul de vragenlijst '{form.title}' in.",
                               form=form, action=action, paper_path=form.paper_path))
        elif form.kind == "afmelden":
            pages.append(_page(form.path, "forms/form_page.html", form.title,
                               "Meld u af voor het panel.", form=form, action=action, paper_path=None))
        if has_paper_pdf(form):
            pages.append(_page(form.paper_path, "forms/paper.html", f"{form.title} (om te printen)",
                               f"{form.title}: versie om te printen.", form=form, pdf=pdf_name(form)))
        pages.append(_page(form.thanks_path, "forms/thanks.html", form.thanks_title, form.thanks_title,
                           noindex=True, heading=form.thanks_title, paragraphs=[form.thanks_text], links=[home]))
    pages.append(_page(CONFIRMED_PATH, "forms/thanks.html", "Uw aanmelding is bevestigd", "Aanmelding bevestigd",
                       noindex=True, heading="Welkom bij het panel",
                       paragraphs=["Uw aanmelding is bevestigd. U krijgt een e-mail als er een nieuwe vragenlijst is.",
                                   "Wilt u later niet meer meedoen? Dan kunt u zich altijd afmelden."],
                       links=[home, {"path": "afmelden/", "text": "Afmelden"}]))
    pages.append(_page(EXPIRED_PATH, "forms/thanks.html", "Deze link werkt niet meer", "Link verlopen",
                       noindex=True, heading="Deze link werkt niet meer",
                       paragraphs=["De link om uw aanmelding te bevestigen is verlopen of niet juist. "
                                   "Een link werkt 7 dagen.",
                                   "Meld u opnieuw aan. U krijgt dan een nieuwe e-mail."],
                       links=[{"path": "doe-mee/", "text": "Opnieuw aanmelden"}]))
    return pages


def _page(path, template, title, description, noindex=False, **context) -> dict:
    return {"path": path, "template": template, "title": title, "description": description,
            "noindex": noindex, "context": context}
