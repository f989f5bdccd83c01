"""The published accessibility test report: ``toegankelijkheid/rapport/``.

``python build.py check --a11y --publish`` writes a summary of the latest
automated check to ``content/<slug>/a11y-report.json`` (pages checked,
findings by WCAG success criterion, date). The build publishes it as a page
and the accessibility statement links to it, so a municipality can show when
and how the site was checked. Without that file there is no report page.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass

from panelsite.engine.family import SiteInputs
from panelsite.engine.site import NavItem, Site
from panelsite.errors import ConfigError, Problem, relpath

REPORT_PATH = "toegankelijkheid/rapport/"
STATEMENT_PATH = "toegankelijkheid/"
REQUIRED = ("date", "standard", "tools", "pages_checked", "errors", "warnings", "findings_by_criterion")


@dataclass(frozen=True)
class Report:
    """The summary ``check --a11y --publish`` wrote, as the statement and the report page show it."""

    date: _dt.date
    standard: str
    tools: dict | list  # name → version, or names
    pages_checked: int
    errors: int
    warnings: int
    findings_by_criterion: dict  # WCAG success criterion → number of findings
    page_list: list  # the pages checked, when the summary lists them
    source_text: bytes  # the file's bytes: part of the keys of the pages that show it
    path: str = REPORT_PATH

    @property
    def pages(self) -> int:
        return self.pages_checked


def load(options, inputs: SiteInputs) -> None:
    """``inputs.a11y_report``: the published summary, or None when the municipality has none."""
    source = options.root / "content" / inputs.municipality.slug / "a11y-report.json"
    if not source.is_file():
        return
    display = relpath(source, options.root)
    raw = source.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        missing = [k for k in REQUIRED if k not in data]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        day = _dt.date.fromisoformat(str(data["date"])[:10])
    except (ValueError, TypeError) as exc:
        raise ConfigError(Problem(display, f"not a report written by 'build.py check --a11y --publish' "
                                           f"({exc})")) from None
    pages = data.get("pages")
    inputs.a11y_report = Report(date=day, **{k: data[k] for k in REQUIRED if k != "date"},
                                page_list=pages if isinstance(pages, list) else [], source_text=raw)


def navigation() -> list[NavItem]:
    return []  # the accessibility statement links the report


def prepare(site: Site) -> None:
    """``site.prepared.a11y_report`` for the accessibility statement, whose key then covers the report."""
    report = site.inputs.a11y_report
    if report is not None:
        site.prepared.a11y_report = report
        site.prepared.add_page_key(STATEMENT_PATH, report.source_text)


def add_outputs(site: Site) -> None:
    report = site.inputs.a11y_report
    if report is None:
        return
    site.add_page(REPORT_PATH, "a11y-report.html", report.source_text, title="Rapport toegankelijkheidstoets",
                  description="Uitkomsten van de automatische toegankelijkheidstoets van "
                              f"{site.municipality.panel_name}.",
                  context={"report": report})
