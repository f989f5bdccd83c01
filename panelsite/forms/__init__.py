"""Forms: the built-in sign-up, unsubscribe and contact forms and the questionnaires
generated from surveys with ``collect: true``. Shared by the site build (pages,
paper PDFs: the page family, ``forms.family``) and the collector (validation, storage);
nothing here but the family imports the build engine.

Public API::

    site_forms(municipality, surveys) -> dict[str, Form]
    form_pages(municipality, surveys, collector_url) -> list[dict]
    form_action(municipality, form_id, collector_url) -> str | None
    validate(form, data) -> Result
"""

from __future__ import annotations

from panelsite.forms.background import background
from panelsite.forms.definitions import FORMS, builtin_forms
from panelsite.forms.model import Field, Form
from panelsite.forms.pages import CONFIRMED_PATH, EXPIRED_PATH, form_action, form_pages
from panelsite.forms.questionnaire import questionnaire_form
from panelsite.forms.validation import Result, validate

__all__ = [
    "FORMS", "Field", "Form", "Result", "CONFIRMED_PATH", "EXPIRED_PATH", "background", "form_action",
    "form_pages", "site_forms", "validate",
]


def site_forms(municipality, surveys=()) -> dict[str, Form]:
    """Every form of one municipality's site, keyed by form id
    (aanmelden, afmelden, contact, vragenlijst-<survey-id>)."""
    forms = builtin_forms(municipality)
    for survey in surveys or ():
        if getattr(survey, "collect", False):
            form = questionnaire_form(municipality, survey, forms["aanmelden"])
            forms[form.id] = form
    return forms
