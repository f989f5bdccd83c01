import pytest

from panelsite.config import brand
from panelsite.config.municipality import load_municipalities

from .conftest import REPO


@pytest.mark.parametrize("a,b,ratio", [
    ("#000000", "#ffffff", 21.0),
    ("#ffffff", "#ffffff", 1.0),
    ("#777777", "#ffffff", 4.48),  # the classic "just fails AA" grey
    ("#0b5394", "#ffffff", 7.84),
])
def test_contrast_ratio_matches_wcag_formula(a, b, ratio):
    assert brand.contrast(a, b) == pytest.approx(ratio, abs=0.01)
    assert brand.contrast(b, a) == pytest.approx(ratio, abs=0.01)


def test_nearest_compliant_keeps_hue_and_reaches_the_ratio():
    fixed = brand.nearest_compliant("#f5a800", "#ffffff", 4.5)
    assert brand.contrast(fixed, "#ffffff") >= 4.5
    # one lightness step lighter would fail: it is the nearest, not just any dark colour
    import colorsys
    h, l, s = colorsys.rgb_to_hls(*brand.rgb(fixed))
    lighter = brand.to_hex(*colorsys.hls_to_rgb(h, l + 0.002, s))
    assert brand.contrast(lighter, "#ffffff") < 4.5
    assert abs(colorsys.rgb_to_hls(*brand.rgb("#f5a800"))[0] - h) < 0.01


def test_compliant_colour_is_returned_unchanged():
    assert brand.nearest_compliant("#0b5394", "#ffffff", 4.5) == "#0b5394"


@pytest.fixture(scope="module")
def demo():
    return load_municipalities(REPO)


def test_every_pair_of_every_demo_theme_meets_wcag(demo):
    """Text 4.5:1; focus indicators, UI components and chart series 3:1 (WCAG 1.4.3, 1.4.11)."""
    assert len(demo) == 3
    for slug, m in demo.items():
        for pair in brand.checked_pairs(m.palette):
            ratio = brand.contrast(pair.foreground, pair.background)
            assert ratio >= pair.required, f"{slug}: {pair.name} {pair.foreground} on {pair.background}: {ratio:.2f}"


def test_demo_has_a_brand_that_needed_adjusting(demo):
    adjusted = [m for m in demo.values() if m.brand.auto_adjust and m.palette.primary != m.brand.primary]
    assert adjusted, "one demo municipality must show automatic contrast adjustment"


def test_demo_house_styles_differ(demo):
    primaries = {m.palette.primary for m in demo.values()}
    fonts = {m.brand.font for m in demo.values()}
    assert len(primaries) == 3 and len(fonts) >= 2


def test_tokens_have_three_layers(demo):
    m = demo["lindenhaven"]
    css = brand.tokens_css(m.brand, m.palette)
    assert "--ps-brand-primary: #0b5394;" in css
    assert "--ps-basis-focus-outline-color:" in css
    assert "--ps-button-primary-background-color: var(--ps-brand-primary);" in css


def test_every_config_option_is_documented():
    """Like Datasette: an option nobody can find is an option nobody can use."""
    from panelsite.config.municipality import SCHEMA
    from panelsite.config.schema import ListOf, Mapping

    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = []

    def walk(option, path):
        for name, child in option.options.items():
            key = f"{path}.{name}" if path else name
            assert child.help, f"{key} has no help text"
            if f"`{key}`" not in doc:
                missing.append(key)
            if isinstance(child, Mapping):
                walk(child, key)
            elif isinstance(child, ListOf) and isinstance(child.item, Mapping):
                walk(child.item, key + "[]")

    walk(SCHEMA, "")
    assert missing == []
