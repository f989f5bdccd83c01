"""Surveys: definitions, responses, weighting, estimates, trends and open data.

The pipeline for one municipality::

    surveys = load_surveys(root / "content" / slug / "surveys", municipality, root)
    results = [analyse(s, municipality) for s in surveys]
    trends = series_trends(results, today=build_date)

Modules: ``definition`` (survey.yaml), ``filters`` (question filters),
``responses`` (responses.csv), ``loader`` (both, for all surveys; or the
definitions alone, for the collector),
``weighting`` (raking), ``estimates`` (the figures of a survey, with
``figures``: the result objects and suppression, ``formulas`` and ``tables``:
the computation), ``design`` (design-based standard errors of a raked round),
``significance`` (tests of groups against the rest and of changes), ``series``
(trends and changes between rounds), ``opendata`` (data.json / data.csv) and
``text`` (Dutch sentences).
No HTML here: pages are rendered from these result objects elsewhere.

Import from the module that owns a name (``from panelsite.surveys.estimates import analyse``):
this package imports nothing itself, so a build that computes nothing (every output
unchanged) never loads numpy, pandas or SciPy.
"""
