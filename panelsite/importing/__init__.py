"""``build.py import``: survey data from SPSS, Excel, Qualtrics, LimeSurvey or any CSV into responses.csv.

The story, in :mod:`panelsite.importing.run`: read the file into a :class:`~table.SourceTable`
(one reader per tool: ``spss``, ``excel``, ``qualtrics``, ``limesurvey``, ``csvfile``), load
``import.yaml`` (``mapping``), drop every column that can identify a person (``privacy``),
match the rest to survey.yaml's questions and the municipality's population variables
(``matching``; ``draft`` writes a survey.yaml from the labels when there is none), convert
every value to its code (``recode``), check, and only then write (``writer``) and report
(``report``). Nothing here imports the site engine: the output is the responses.csv that
``panelsite.surveys`` reads, and it is read back with that reader before anything is written.
"""
