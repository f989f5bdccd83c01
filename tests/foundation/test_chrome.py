"""One page chrome for the build and the collector: the same context keys, the same versioned asset URLs."""

from pathlib import Path

import pytest

from panelsite.engine import pipeline
from panelsite.engine.chrome import chrome

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    options = pipeline.Options(root=ROOT, out=tmp_path_factory.mktemp("chrome"), only=["heidebeek"], jobs=1,
                               progress=False)
    inputs = pipeline.load_all(options)["heidebeek"]
    return pipeline.plan_site(options, inputs, inputs.municipality.base_url)


def test_the_collectors_pages_link_the_assets_the_build_writes(site):
    m = site.municipality
    ctx = chrome(m, m.base_url, "doe-mee/")
    for path in ("css/site.css", "js/forms.js", "css/forms.css", "logo" + site.assets.logo_suffix,
                 "favicon" + site.assets.favicon_suffix):
        version = site.asset_version(path)
        assert version, path
        # the same bytes, hence the same ?v=, but on the published site's host
        assert ctx["asset"](path) == f"{m.base_url}assets/{path}?v={version}"
    assert ctx["url"]("privacy/") == m.base_url + "privacy/"
    assert ctx["asset"]("js/not-there.js") == m.base_url + "assets/js/not-there.js"


def test_the_collector_and_the_build_give_templates_the_same_keys(site):
    m = site.municipality
    built = site.page_context("doe-mee/", title="Doe mee", description=None)
    served = chrome(m, m.base_url, "doe-mee/")
    assert set(served) == set(built)
    assert (served["site_assets"].logo_suffix, served["site_assets"].favicon_suffix) == (
        site.assets.logo_suffix, site.assets.favicon_suffix)
    # a page the collector serves is never indexed, and no menu item is marked as it
    assert served["page"].noindex and served["page"].canonical is None and served["page"].section is None
    assert built["page"].section == "doe-mee/" and built["page"].canonical == m.base_url + "doe-mee/"
