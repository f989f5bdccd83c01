"""Panel composition and representativeness (a page family, see panelsite.engine.family).

Input: the member register ``content/<slug>/panel/members.csv`` (register.py)
and ``population`` of the municipality. Without a register there is no
composition page, no response table and no error.

* ``over-het-panel/samenstelling/``: the panel against the population per
  background variable, panel size and growth per quarter (composition.html);
* ``site.prepared.response_by_group(survey_id)``: invited against responded per
  group, for the method section of each results page;
* ``site.prepared.panel_composition``: the page's path, or None (for the link on
  the about page);
* ``python build.py panel-report <slug>``: the staff report (report.py).

Modules: ``register`` (reading and validation), ``composition`` (the figures),
``pages`` (view models and HTML), ``family`` (the page family), ``report`` (the staff
report) and ``commands`` (``panel-report``).
"""
