"""Factsheets: per published survey a web page, a tagged PDF and an e-mail from one
``factsheet.md``, and the measures overview ("Wat doen we ermee?").

Modules: ``source`` (reading and checking factsheet.md), ``figures`` (the numbers it
quotes), ``measures`` (statuses and the overview), ``pdf`` and ``email`` (the outputs'
particulars) and ``family`` (the page family).
"""
