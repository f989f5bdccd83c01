"""data.csv is joined by hand for speed; it must stay exactly what csv.writer writes."""

import csv
import io

import pytest

from panelsite.surveys import to_open_data_csv
from panelsite.surveys.opendata import CSV_COLUMNS

from .test_estimates import YAML, csv_text


def _written_by_csv_writer(results) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in results.questions:
        for var, f in [("", r.total)] + [(var, g) for var, groups in r.breakdowns.items() for g in groups]:
            if f.suppressed or not f.options:
                writer.writerow([results.survey.id, r.id, var, f.group or "", "", "", f.n, "", "", "", "true" if f.suppressed else "false"])
                continue
            for o in f.options:
                writer.writerow([results.survey.id, r.id, var, f.group or "", o.code, o.label, o.n,
                                 repr(o.pct), repr(o.ci_low), repr(o.ci_high), "false"])
    return buffer.getvalue()


@pytest.fixture
def results(project):
    project.add(yaml=YAML, csv=csv_text())
    (r,) = project.results()
    return r


def test_csv_is_what_csv_writer_writes(results):
    assert to_open_data_csv(results) == _written_by_csv_writer(results)


def test_texts_with_commas_quotes_and_line_breaks_are_quoted(results):
    total = results.question("q1").total
    total.options[0].label = 'Zeer "on"tevreden, echt'
    total.options[1].label = "Ontevreden\nof zo"
    total.options[2].label = ""
    total.options[3].code = "4,a"
    for group in results.question("q1").breakdowns["wijk"]:
        group.group = f'{group.group}, "wijk"'
    text = to_open_data_csv(results)
    assert text == _written_by_csv_writer(results)
    assert '"Zeer ""on""tevreden, echt"' in text and '"Ontevreden\nof zo"' in text
    assert list(csv.reader(io.StringIO(text)))[1][5] == 'Zeer "on"tevreden, echt'
