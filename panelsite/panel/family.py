"""The panel's page family: the composition page and the response table of each results page.

See panelsite.panel for what it builds.
"""


from __future__ import annotations

from panelsite.errors import relpath
from panelsite.panel.composition import compose, min_n_of, response_by_group
from panelsite.panel.pages import composition_context, response_table
from panelsite.panel.register import Register, read_register
from panelsite.panel.report import register_path

COMPOSITION_PATH = "over-het-panel/samenstelling/"
ABOUT_PATH = "over-het-panel/"


def load(options, m) -> None:
    """Read and validate the register (DataError with every problem); None when there is none."""
    path = register_path(options.root, m.slug)
    m.panel_register = (read_register(path, relpath(path, options.root), m.population.variables)
                        if path.is_file() else None)
    # Every output built from the register should have this in its key (results pages too).
    m.panel_key = m.panel_register.source_hash if m.panel_register else ""


def add_outputs(site) -> None:
    m = site.municipality
    register: Register | None = m.get("panel_register")
    site.extra["panel_composition"] = COMPOSITION_PATH if register else None
    page_keys = site.extra.setdefault("page_keys", {})
    page_keys[ABOUT_PATH] = (*page_keys.get(ABOUT_PATH, ()), bool(register))  # the about page links here or not
    if register is None:
        return
    site.add_page(COMPOSITION_PATH, "composition.html", register.source_hash, title="Samenstelling van het panel",
                  description=f"Wie doen er mee aan {m.panel_name}? Het panel vergeleken met alle inwoners van "
                              f"{m.name}, naar {_listing(list(m.population.variables))}.",
                  context=lambda: composition_context(compose(register, m)), source=register.file)
    results = m.get("survey_results")
    surveys = {s.id: s for s in (results.published if results is not None else []) if s.has_responses}

    def table(survey_id: str):
        # Computed only when a results page is really rendered (incremental builds skip it).
        survey = surveys.get(survey_id)
        return response_table(response_by_group(register, survey, m), min_n_of(m)) if survey else None

    site.extra["response_by_group"] = table


def _listing(words: list[str]) -> str:
    """leeftijd, geslacht en wijk"""
    return " en ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
