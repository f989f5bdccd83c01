"""The page-family contract, and the named data families hand each other.

A page family is a part that adds pages to a site (results, factsheets, forms, the
panel's composition, the feed, the accessibility report). Each is a module with the
four functions of :class:`PageFamily`; ``panelsite.engine.pipeline.FAMILIES`` lists
them, imported normally, in the order the build calls them.

Families never write into the municipality's configuration (it is read-only) and share
no dict of string keys. What one loads goes into its own attribute of
:class:`SiteInputs`; what one prepares for the pages of another goes into its own
attribute of :class:`Prepared`. Each attribute names the one family that writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from markupsafe import Markup

    from panelsite.a11y.report_page import Report
    from panelsite.config.municipality import Municipality
    from panelsite.engine.content import Page
    from panelsite.engine.options import Options
    from panelsite.engine.site import NavItem, Site
    from panelsite.factsheets.source import Factsheet
    from panelsite.forms.model import Form
    from panelsite.panel.register import Register
    from panelsite.results.family import Results


class PageFamily(Protocol):
    """What the pipeline calls on every family, in this order."""

    def load(self, options: Options, inputs: SiteInputs) -> None:
        """Read and validate the family's own input files into its attribute of ``inputs``.

        Runs for every municipality before anything is computed or written. Raises a
        ConfigError or DataError holding every problem found; warnings are reported as
        they are found (panelsite.errors.warn).
        """

    def navigation(self) -> list[NavItem]:
        """The family's items in the main menu (the same for every municipality; may be empty).

        The collector draws the same menu on the pages it serves itself.
        """

    def prepare(self, site: Site) -> None:
        """What other pages link to or show, into the family's attribute of ``site.prepared``.

        Runs for every family before any family adds a page, so a page's key covers it
        (the results page links its factsheet, the home page lists the open questionnaires).
        """

    def add_outputs(self, site: Site) -> None:
        """Add the family's pages and files to the site's plan (``site.add_page``, ``site.add_file``).

        Expensive data is computed in the render functions, so an incremental build that
        reuses an output computes nothing for it.
        """


@dataclass
class SiteInputs:
    """Everything loaded and validated for one municipality, beside its read-only configuration."""

    municipality: Municipality
    pages: list[Page] = field(default_factory=list)  # engine.content: content pages, shared ones overridden
    results: Results | None = None  # results.family: the surveys and their (lazily computed) results
    factsheets: dict[str, Factsheet] = field(default_factory=dict)  # factsheets.family: survey id → factsheet
    panel_register: Register | None = None  # panel.family: content/<slug>/panel/members.csv, if there is one
    a11y_report: Report | None = None  # a11y.report_page: content/<slug>/a11y-report.json, if there is one


@dataclass
class Prepared:
    """What the families prepare for each other's pages (``prepare``), before any page is planned.

    Templates get most of these as context keys of the same name (:meth:`template_context`).
    """

    latest_results: list[dict] = field(default_factory=list)  # results: the home page's newest results
    factsheet_paths: dict[str, str] = field(default_factory=dict)  # factsheets: survey id → its factsheet page
    forms: dict[str, Form] = field(default_factory=dict)  # forms: form id → form, for embedded forms
    form_action: Callable[[str], str | None] | None = None  # forms: form id → the URL it posts to
    open_questionnaires: list[dict] = field(default_factory=list)  # forms: in fieldwork today (home page)
    upcoming_questionnaires: list[dict] = field(default_factory=list)  # forms: fieldwork still to start (home page)
    coming_results: list[dict] = field(default_factory=list)  # results: fieldwork done, under embargo (results index)
    panel_composition: str | None = None  # panel: the composition page, when there is a register
    response_by_group: Callable[[str], Markup | None] | None = None  # panel: survey id → its response table
    a11y_report: Report | None = None  # a11y.report_page: the published report, for the statement
    # Extra inputs of content pages, by site path ("" is the home page): a page's key covers
    # what the families show on it. Any family may add to a path's tuple.
    page_keys: dict[str, tuple] = field(default_factory=dict)

    def add_page_key(self, path: str, *parts: Any) -> None:
        self.page_keys[path] = (*self.page_keys.get(path, ()), *parts)

    def template_context(self) -> dict[str, Any]:
        """The context keys every page and every content page's Markdown may use."""
        return {"latest_results": self.latest_results, "factsheet_paths": self.factsheet_paths,
                "forms": self.forms, "form_action": self.form_action,
                "open_questionnaires": self.open_questionnaires,
                "upcoming_questionnaires": self.upcoming_questionnaires, "coming_results": self.coming_results,
                "panel_composition": self.panel_composition,
                "a11y_report": self.a11y_report}
