"""The municipalities the collector serves, each as a :class:`FormSite`.

Loading reads what the forms need and nothing more: the municipality files, each survey's
survey.yaml (never responses.csv: a results file the build refuses must not stop the forms)
and the front matter of the pages for the menu. Nothing of the build pipeline or of a page
family is imported (tests/collector/test_import_rules.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from panelsite import forms as forms_mod
from panelsite.collector import mail_texts
from panelsite.collector.security import origin_of
from panelsite.config.municipality import Municipality
from panelsite.engine.navigation import site_menu
from panelsite.engine.render import environment
from panelsite.engine.site import NavItem
from panelsite.forms.model import Form
from panelsite.surveys.definition import SurveyDefinition

log = logging.getLogger("panelsite.collector")


@dataclass
class FormSite:
    """One municipality as the collector sees it: its forms, its templates and where its site lives."""

    municipality: Municipality  # the validated, read-only configuration
    surveys: list[SurveyDefinition]  # those with collect: true
    forms: dict[str, Form]  # by form id: aanmelden, afmelden, contact, vragenlijst-<survey-id>
    env: jinja2.Environment  # the site's own (themes/<slug>/templates first)
    navigation: list[NavItem] = field(default_factory=list)  # the site's main menu, in menu order
    mail_env: jinja2.Environment = field(init=False)  # the same templates for mails (mail_texts.environment)

    def __post_init__(self):
        self.mail_env = mail_texts.environment(self.env)

    @property
    def slug(self) -> str:
        return self.municipality.slug

    @property
    def base_url(self) -> str:
        return self.municipality.base_url

    @property
    def origin(self) -> str | None:
        return origin_of(self.municipality.base_url)

    @property
    def collector_url(self) -> str | None:
        """The collector's public URL as the municipality file gives it (``collector.url``)."""
        return self.municipality.collector.url

    @property
    def extra_profile(self) -> list[str]:
        """Extra sign-up fields kept with the member (exported by name)."""
        return [f.name for f in self.forms["aanmelden"].fields if f.store == "profile" and not f.variable]

    def survey(self, survey_id: str) -> SurveyDefinition:
        for survey in self.surveys:
            if survey.id == survey_id:
                return survey
        raise KeyError(survey_id)


def form_site(project_root: Path, municipality, surveys: list[SurveyDefinition]) -> FormSite:
    collected = [s for s in surveys if s.collect]
    return FormSite(municipality=municipality, surveys=collected, forms=forms_mod.site_forms(municipality, collected),
                    env=environment(project_root, municipality), navigation=site_menu(project_root, municipality.slug))


def load_sites(project_root: Path, only: list[str] | None = None) -> dict[str, FormSite]:
    """The municipalities (all, or ``only``) with their questionnaires.

    A municipality file with problems stops the start (ConfigError, exit 2), as for the build.
    A survey.yaml with problems leaves that questionnaire out and is logged with its file and
    line, so one broken survey does not stop every form.
    """
    from panelsite.config import dates
    from panelsite.config.municipality import load_municipalities
    from panelsite.errors import captured
    from panelsite.surveys.loader import load_definitions

    sites = {}
    with captured():  # the build reports the configuration's warnings
        municipalities = load_municipalities(project_root, only)
    for slug, municipality in municipalities.items():
        with dates.moved_by(municipality.date_shift):  # a demo's fieldwork moves as on its built pages
            definitions, problems = load_definitions(project_root / "content" / slug / "surveys", municipality,
                                                     project_root)
        for problem in problems:
            log.warning(json.dumps({"event": "survey_skipped", "slug": slug, "problem": str(problem)}))
        sites[slug] = form_site(project_root, municipality, definitions)
    return sites
