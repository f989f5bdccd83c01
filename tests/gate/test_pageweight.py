"""Page weight budget and plotly.js placement, for every HTML page of every demo site."""

from . import pageweight


def test_page_weight_and_plotly(built_demo, demo_pages):
    findings = []
    for page in demo_pages:
        findings += pageweight.check(pageweight.measure(built_demo, page))
    print(f"page weight checked for {len(demo_pages)} pages")
    assert not findings, "\n".join(findings)


def test_plotly_only_on_chart_pages(built_demo, demo_pages):
    loading = [p.rel for p in demo_pages if pageweight.measure(built_demo, p).loads_plotly]
    charts = [p.rel for p in demo_pages if pageweight.measure(built_demo, p).has_plotly_chart]
    assert set(loading) <= set(charts), f"plotly.js without a chart on: {sorted(set(loading) - set(charts))}"
