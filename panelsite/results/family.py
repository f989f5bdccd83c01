"""The results' page family: the results index, a page per published survey, and its open data.

Loading reads and validates every survey of the municipality (``inputs.results``);
results are computed lazily, once per survey, so an incremental build that re-renders
nothing computes nothing. The view model of a results page is :mod:`.pages`.
"""

from __future__ import annotations

import functools
import json
from functools import cached_property
from pathlib import Path

from panelsite.config import dates
from panelsite.engine import navigation as menu
from panelsite.engine.cache import BuildCache
from panelsite.engine.family import SiteInputs
from panelsite.engine.hashing import digest
from panelsite.engine.site import NavItem, Site
from panelsite.results import downloads
from panelsite.results.pages import survey_context
from panelsite.surveys.loader import load_surveys
from panelsite.surveys.opendata import to_open_data, to_open_data_csv

RESULTS_PATH = menu.RESULTS.path


class Results:
    """The published surveys of one municipality and their (lazily computed) results.

    ``all``: every survey, checked; ``live``: those the site may show at all (a draft only with
    --drafts), their questionnaires among them; ``published``: those past their embargo too.
    """

    def __init__(self, municipality, surveys, today, drafts: bool, cache=None):
        self.municipality = municipality
        self.cache = cache  # the build cache (engine/cache.py): analyses by the hash of their inputs
        self.move = dates.current_move()  # a demonstration's dates move with the build date (made while loading)
        self.all = surveys
        self.drafts = drafts
        self.live = [s for s in surveys if drafts or not s.draft]
        self.published = sorted(
            (s for s in self.live if drafts or s.publish_on <= today),
            key=lambda s: (s.fieldwork_end, s.id), reverse=True,
        )
        self.today = today
        self._results: dict[str, object] = {}
        self._open_data: dict[str, dict] = {}
        self._open_data_csv: dict[str, str] = {}

    def of(self, survey):
        if survey.id not in self._results:
            self._results[survey.id] = self._analyse(survey)
        return self._results[survey.id]

    def _analyse(self, survey):
        """analyse(), or its result from the build cache when the survey and the municipality's
        figures and rules are what it was computed from. The survey and its questions are not
        stored with it but handed back (``shared``), so the result refers to these very objects.

        The statistics (pandas, numpy) are imported here: a build that renders no results page
        never does."""
        from panelsite.surveys.estimates import analyse

        if self.cache is None:
            return analyse(survey, self.municipality)
        m = self.municipality
        key = digest("analysis", survey.source_hash, survey.yaml_file, survey.csv_file, survey.has_responses,
                     repr(survey.questions), repr(survey.weighting), survey.breakdowns, survey.invited,
                     repr(m.population), repr(m.results), m.slug, self.move)
        return self.cache.made("analyses", key, lambda: analyse(survey, m), shared=(survey, m, *survey.questions))

    @cached_property
    def trends(self) -> dict:
        from panelsite.surveys.series import series_trends  # with the statistics (_analyse)

        in_series = [self.of(s) for s in self.published if s.series]
        return series_trends(in_series) if in_series else {}

    @cached_property
    def _changes(self) -> dict:
        from panelsite.surveys.series import series_changes

        in_series = [self.of(s) for s in self.published if s.series]
        return series_changes(in_series) if in_series else {}

    def open_data(self, survey) -> dict:
        """data.json's document of a round: made once, for data.json and each question's files."""
        if survey.id not in self._open_data:
            self._open_data[survey.id] = to_open_data(self.of(survey), self.changes(survey))
        return self._open_data[survey.id]

    def open_data_csv(self, survey) -> str:
        """data.csv of a round: made once, for data.csv and each question's CSV."""
        if survey.id not in self._open_data_csv:
            self._open_data_csv[survey.id] = to_open_data_csv(self.of(survey), self.changes(survey))
        return self._open_data_csv[survey.id]

    def changes(self, survey) -> list:
        """Every figure of ``survey`` against the previous round of its series (see surveys.series)."""
        return self._changes.get(survey.id, []) if survey.series else []

    def series_key(self, survey) -> str:
        """Inputs of a survey's trend section: every published round of its series."""
        if not survey.series:
            return ""
        return digest(*[s.source_hash for s in self.published if s.series == survey.series])

    @property
    def key(self) -> str:
        return digest(*[(s.id, s.source_hash, s.publish_on) for s in self.published])


def load(options, inputs: SiteInputs) -> None:
    """Every survey of the municipality (``inputs.results``), published or not, checked now."""
    m = inputs.municipality
    folder = options.root / "content" / m.slug / "surveys"
    cache = BuildCache(options.cache_folder)
    surveys = load_surveys(folder, m, options.root, cache) if folder.is_dir() else []
    inputs.results = Results(m, surveys, options.today, options.drafts, cache)


def navigation() -> list[NavItem]:
    return [menu.RESULTS]  # declared in engine/navigation.py, where the collector reads it too


def prepare(site: Site) -> None:
    """The home page's latest results (and its key covers every published survey)."""
    results = site.inputs.results
    site.prepared.latest_results = [_card(s) for s in results.published[:3]]
    site.prepared.add_page_key("", results.key)
    # Rounds whose fieldwork is over and whose results are under embargo: the date they come out.
    published = {s.id for s in results.published}
    site.prepared.coming_results = [
        {"title": s.title, "publish_on": s.publish_on} for s in sorted(results.live, key=lambda s: s.publish_on)
        if s.id not in published and s.fieldwork_end < results.today]


def add_outputs(site: Site) -> None:
    results = site.inputs.results
    _add_index(site, results)
    for survey in results.published:
        _add_survey(site, results, survey)
    if any(s.breakdowns or s.series for s in results.published):
        site.add_file("assets/js/plotly.min.js", _plotly_js, shared=True)


@functools.cache
def _plotly_js() -> bytes:
    """The site's one self-hosted copy of plotly.js (shipped inside the plotly package); read once per process.

    Found without importing plotly: every build hashes the file for its ``?v=``, and most render no chart."""
    import importlib.util

    return (Path(importlib.util.find_spec("plotly").origin).parent / "package_data" / "plotly.min.js").read_bytes()


def _card(survey) -> dict:
    return {"path": f"{RESULTS_PATH}{survey.id}/", "title": survey.title, "theme_label": survey.theme_label,
            "published": survey.publish_on, "key_sentence": survey.summary}


def _add_index(site: Site, results: Results) -> None:
    def context() -> dict:
        groups: dict[str, list] = {}
        for survey in results.published:
            groups.setdefault(survey.theme, []).append(_card(survey))
        ordered = sorted(groups.items(), key=lambda kv: -max(c["published"].toordinal() for c in kv[1]))
        return {"themes": [{"id": t, "label": cards[0]["theme_label"], "surveys": cards} for t, cards in ordered]}

    coming = tuple((c["title"], c["publish_on"]) for c in site.prepared.coming_results)
    site.add_page(RESULTS_PATH, "results-index.html", results.key, coming, title="Resultaten",
                  description=f"Alle uitkomsten van de onderzoeken van {site.municipality.panel_name}, per thema.",
                  context=context)


def _add_survey(site: Site, results: Results, survey) -> None:
    base = f"{RESULTS_PATH}{survey.id}/"
    register = site.inputs.panel_register  # the method section's response table is made from it
    key = (survey.source_hash, results.series_key(survey), site.prepared.factsheet_paths.get(survey.id),
           register.source_hash if register else "")

    def context() -> dict:
        return survey_context(site, results, survey)

    site.add_page(base, "results.html", *key, title=survey.title,
                  description=f"Uitkomsten van het onderzoek '{survey.title}' van {site.municipality.panel_name}: "
                              f"grafieken, tabellen en de methode.",
                  context=context)
    # the changes against the previous round are in the open data too: its key covers the series
    data_key = (survey.source_hash, results.series_key(survey))
    site.add_file(base + "data.json", lambda: _open_data_json(results.open_data(survey)), *data_key)
    site.add_file(base + "data.csv", lambda: results.open_data_csv(survey).encode(), *data_key)
    downloads.add_outputs(site, results, survey)  # each question's figures, beside its chart


def _open_data_json(document: dict) -> bytes:
    return (_OPEN_DATA_JSON.encode(document) + "\n").encode()


# to_open_data builds a fresh tree of dicts and lists, which cannot hold a
# cycle: not checking for one saves a tenth of the encoding time
_OPEN_DATA_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str, check_circular=False)
