"""The Nu HTML Checker (vnu.jar, one JVM) over every HTML page of every demo site.

Errors fail; warnings are printed; plain info messages are only counted.
"""

from pathlib import Path

from panelsite.a11y import check as a11y


def describe(message: dict, rel: dict[Path, str]) -> str:
    page = rel.get(Path(message["file"]).resolve(), message["file"])
    line = message.get("lastLine") or message.get("firstLine") or "?"
    extract = " ".join(message.get("extract", "").split())[:100]
    return f"{page}:{line}: {message.get('message', '')}" + (f" [{extract}]" if extract else "")


def test_every_page_is_valid_html(demo_pages):
    rel = {page.file.resolve(): page.rel for page in demo_pages}
    messages = a11y.run_vnu([page.file for page in demo_pages])
    errors = [describe(m, rel) for m in messages if a11y.vnu_is_error(m)]
    warnings = [describe(m, rel) for m in messages if a11y.vnu_is_warning(m)]
    infos = sum(1 for m in messages if not (a11y.vnu_is_error(m) or a11y.vnu_is_warning(m)))
    print(f"vnu checked {len(demo_pages)} pages: {len(errors)} errors, {len(warnings)} warnings, {infos} info messages")
    for warning in warnings:
        print("warning:", warning)
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
