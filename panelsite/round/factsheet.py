"""The factsheet e-mail of one survey, as the build writes it (``resultaten/<id>/factsheet-email.*``).

Rendered through the build's factsheet family, so the mailing is the same text as the built
page and the e-mail files; what it needs of the pipeline is loading and planning the one site
(nothing is written).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from panelsite.errors import ConfigError, Problem


@dataclass(frozen=True)
class FactsheetMail:
    subject: str
    text: str
    html: str
    publish_on: object  # datetime.date: the embargo; no mailing before it
    survey: object  # the Survey


def render(root: Path, slug: str, survey_id: str) -> FactsheetMail:
    """ConfigError naming the survey folder when the survey or its factsheet.md does not exist."""
    from panelsite.config.municipality import load_municipalities
    from panelsite.engine import pipeline
    from panelsite.engine.options import Options
    from panelsite.errors import captured
    from panelsite.factsheets import family

    # drafts: the embargo is checked by the mailing itself, with its own clear message
    options = Options(root=root, out=root / "dist", only=[slug], drafts=True, progress=False)
    with captured():  # the build reports the configuration's warnings
        municipality = load_municipalities(root, [slug])[slug]
        inputs = pipeline.load_site(options, municipality)
        site = pipeline.plan_site(options, inputs, municipality.base_url)
    sheets = inputs.factsheets or {}
    folder = f"content/{slug}/surveys/{survey_id}"
    if survey_id not in sheets:
        known = ", ".join(sorted(sheets)) or "none"
        raise ConfigError([Problem(f"{folder}/factsheet.md",
                                   f'survey "{survey_id}" has no factsheet '
                                   f"(expected a survey with a factsheet.md: {known})")])
    fs = sheets[survey_id]
    return FactsheetMail(subject=f"Factsheet: {fs.title}", text=family.email_text(site, fs),
                         html=family.email_html(site, fs), publish_on=fs.survey.publish_on, survey=fs.survey)
