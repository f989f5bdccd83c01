"""Accessibility: the gate (pa11y-ci and the Nu HTML Checker, ``check --a11y``) and the
published test report page."""
