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

from panelsite.errors import ConfigError, Problem, relpath

REPORT_PATH = "toegankelijkheid/rapport/"
STATEMENT_PATH = "toegankelijkheid/"
REQUIRED = ("date", "standard", "tools", "pages_checked", "errors", "warnings", "findings_by_criterion")


def load(options, m) -> None:
    source = options.root / "content" / m.slug / "a11y-report.json"
    m.a11y_report = None
    if not source.is_file():
        return
    display = relpath(source, options.root)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        missing = [k for k in REQUIRED if k not in data]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        data["date"] = _dt.date.fromisoformat(str(data["date"])[:10])
    except (ValueError, TypeError) as exc:
        raise ConfigError(Problem(display, f"not a report written by 'build.py check --a11y --publish' ({exc})")) from None
    data["path"] = REPORT_PATH
    data["pages"] = data.get("pages_checked")
    data["page_list"] = data.get("pages") if isinstance(data.get("pages"), list) else []
    data["source_text"] = source.read_bytes()
    m.a11y_report = data


def prepare(site) -> None:
    report = site.municipality.get("a11y_report")
    if report is not None:
        site.extra["a11y_report"] = report
        keys = site.extra.setdefault("page_keys", {})
        keys[STATEMENT_PATH] = (*keys.get(STATEMENT_PATH, ()), report["source_text"])


def add_outputs(site) -> None:
    report = site.municipality.get("a11y_report")
    if report is None:
        return
    site.add_page(REPORT_PATH, "a11y-report.html", report["source_text"], title="Rapport toegankelijkheidstoets",
                  description=f"Uitkomsten van de automatische toegankelijkheidstoets van {site.municipality.panel_name}.",
                  context={"report": report})
