"""The panel's page family: the composition page and the response table of each results page.

See panelsite.panel for what it builds.
"""

from __future__ import annotations

from panelsite.config import dates
from panelsite.engine.cache import BuildCache
from panelsite.engine.family import SiteInputs
from panelsite.engine.hashing import content_hash, digest
from panelsite.engine.site import NavItem, Site
from panelsite.errors import relpath
from panelsite.panel.register import read_register, register_path

COMPOSITION_PATH = "over-het-panel/samenstelling/"
ABOUT_PATH = "over-het-panel/"


def load(options, inputs: SiteInputs) -> None:
    """``inputs.panel_register``: the register, validated (DataError with every problem); None when there is none.

    Every output built from it has its ``source_hash`` in its key (the results pages too). A valid
    register is kept in the build cache (engine/cache.py) by the hash of its bytes, its name and the
    population's categories it is checked against, so an unchanged file is not read with pandas again.
    """
    m = inputs.municipality
    path = register_path(options.root, m.slug)
    if not path.is_file():
        return
    display = relpath(path, options.root)
    cache = BuildCache(options.cache_folder)
    # a demonstration's dates move with the build date (config.dates): the register's too
    key = digest("register", content_hash(path.read_bytes()), display, repr(m.population.variables),
                 dates.current_move())
    # read_register raises with every problem: only a valid register is kept
    inputs.panel_register = cache.made("register", key, lambda: read_register(path, display, m.population.variables))


def navigation() -> list[NavItem]:
    return []  # the about page links the composition page


def prepare(site: Site) -> None:
    """The composition page's path (the about page links it) and each results page's response table."""
    m = site.municipality
    register = site.inputs.panel_register
    site.prepared.panel_composition = COMPOSITION_PATH if register else None
    site.prepared.add_page_key(ABOUT_PATH, bool(register))  # the about page links here or not
    if register is None:
        return
    surveys = {s.id: s for s in site.inputs.results.published if s.has_responses}

    def table(survey_id: str):
        # Computed only when a results page is really rendered (incremental builds skip it):
        # the figures need pandas, which a build that renders no results page never imports.
        from panelsite.panel.composition import response_by_group
        from panelsite.panel.pages import response_table

        survey = surveys.get(survey_id)
        return (response_table(response_by_group(register, survey, m), m.results.min_n, m.population.labels)
                if survey else None)

    site.prepared.response_by_group = table


def add_outputs(site: Site) -> None:
    m = site.municipality
    register = site.inputs.panel_register
    if register is None:
        return

    def context() -> dict:
        from panelsite.panel.composition import compose  # pandas: only when the page is rendered
        from panelsite.panel.pages import composition_context

        return composition_context(compose(register, m), m.population.labels)

    site.add_page(COMPOSITION_PATH, "composition.html", register.source_hash, title="Samenstelling van het panel",
                  description=f"Wie doen er mee aan {m.panel_name}? Het panel vergeleken met alle inwoners van "
                              f"{m.name}, naar {_listing(list(m.population.variables))}.",
                  context=context, source=register.file)


def _listing(words: list[str]) -> str:
    """leeftijd, geslacht en wijk"""
    return " en ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
