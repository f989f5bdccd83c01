"""pa11y-ci (axe-core and HTML_CodeSniffer, WCAG2AA) over every HTML page of every demo site."""

from panelsite.a11y import check as a11y


def test_every_page_passes_pa11y(demo_server, demo_pages):
    urls = {a11y.page_url(demo_server, page): page for page in demo_pages}
    issues = a11y.run_pa11y(list(urls))
    print(f"pa11y-ci (axe + htmlcs, WCAG2AA) checked {len(urls)} pages")
    errors = [
        f"{urls[url].rel}: [{issue.get('runner', 'pa11y')}] {issue['code']}"
        f" at {issue.get('selector') or '?'}: {issue.get('message', '')}"
        for url, found in issues.items() for issue in found
    ]
    assert not errors, f"{len(errors)} accessibility errors on {len(urls)} pages:\n" + "\n".join(errors)
