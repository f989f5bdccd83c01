"""The top findings of a results page (results/findings.py) and how the page numbers its questions."""

from types import SimpleNamespace

from panelsite.results.findings import top_findings
from panelsite.results.pages import View


def question(qid, number, value, label="Ja", change=None, breakdowns=(), subject=None, suppressed=False):
    key = View(value=value, label=label, question=f"Vraag {qid}?")
    return View(id=qid, number=number, text=f"Vraag {qid}?", subject=subject, suppressed=suppressed,
                headline=key, key_figure=key, change=change, breakdowns=list(breakdowns))


def test_four_headline_figures_in_questionnaire_order_one_per_question():
    questions = [question(f"q{i}", str(i), f"{10 * i}%") for i in range(1, 7)]
    found = top_findings(questions)
    assert [f.question_id for f in found] == ["q1", "q2", "q3", "q4"]
    assert {f.kind for f in found} == {"figure"}


def test_significant_changes_and_a_group_difference_come_first_and_allow_five():
    up = View(significant=True, size=6.0, sentence="▲ Significant hoger dan in maart 2025 (+6,0 procentpunt).")
    small_up = View(significant=True, size=2.0, sentence="▲ Significant hoger (+2,0).")
    level = View(significant=False, size=9.0, sentence="Geen significant verschil.")
    group = View(variable="wijk", label="naar wijk", key_label="tevreden of zeer tevreden", rows=[
        View(group="Centrum", value="40%", significant=False, difference=3.0),
        View(group="Havenkwartier", value="31%", significant=True, difference=-9.5, versus_rest="▼ lager"),
        View(group="Noordveld", value="70%", significant=True, indicative=True, difference=20.0),  # too small
    ])
    questions = [question("q1", "1", "52%", change=level), question("q2", "2", "7,0", change=small_up),
                 question("q3", "3", "63%", breakdowns=[group]), question("q4", "4", "56%", change=up),
                 question("q5", "4a", "35%"), question("q6", "5", "31%")]
    found = top_findings(questions)
    assert [(f.question_id, f.kind) for f in found] == [("q4", "change"), ("q2", "change"), ("q3", "difference"),
                                                        ("q1", "figure"), ("q5", "figure")]
    assert found[2].label == "Tevreden of zeer tevreden (wijk Havenkwartier)" and found[2].value == "31%"
    assert found[4].number == "4a"


def test_suppressed_questions_give_no_finding_and_a_short_survey_gives_fewer():
    found = top_findings([question("q1", "1", "40%", suppressed=True), question("q2", "2", "61%", subject="het groen")])
    assert [(f.question_id, f.question) for f in found] == [("q2", "het groen")]


def test_a_filtered_question_takes_the_number_before_it_with_a_letter():
    from panelsite.surveys.definition import Survey

    qs = [SimpleNamespace(id=i, filter=f) for i, f in (("q1", None), ("q2", "q1 == 1"), ("q3", "q2 == 1"),
                                                          ("q4", None), ("q5", None), ("q6", "q5 == 2"))]
    survey = Survey.__new__(Survey)
    survey.questions = qs
    assert survey.numbers == {"q1": "1", "q2": "1a", "q3": "1b", "q4": "2", "q5": "3", "q6": "3a"}


def test_the_demo_pages_show_findings_numbers_and_disclosures(built_demo):
    page = (built_demo / "lindenhaven" / "resultaten" / "afval-2026" / "index.html").read_text(encoding="utf-8")
    findings = page[page.index('id="belangrijkste-uitkomsten"'):page.index('id="toc-heading"')]
    # the second round of a series: significant changes and a group's difference come first, so five
    assert findings.count('<li class="finding') == 5
    assert findings.index('finding--change') < findings.index('finding--difference') < findings.index('finding--figure')
    assert "Significant hoger dan in maart 2025" in findings
    assert '<span class="finding__value">94%</span>' in findings  # papier en karton: the answer most gave
    first = (built_demo / "lindenhaven" / "resultaten" / "openbare-ruimte-2026" / "index.html").read_text("utf-8")
    assert first[first.index('id="belangrijkste-uitkomsten"'):first.index('id="toc-heading"')].count(
        '<li class="finding finding--figure"') >= 3
    assert '<h3 id="vraag-q5"><span class="question__number">4a.</span>' in page  # asked after ‘Ja’ at 4
    assert page.count("<summary>Bekijk de tabel") == 6 and "<summary>Door de tijd" in page
    assert "Let op: deze uitkomst is indicatief" not in page  # the summary sentence says it, once
    composition = (built_demo / "lindenhaven" / "over-het-panel" / "samenstelling" / "index.html").read_text("utf-8")
    assert ">Man: panel</dt>" in composition and '<th scope="row">Vrouw</th>' in composition
