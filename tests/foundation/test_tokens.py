"""Design tokens in (config/tokens.py): a municipality's house style from an NL Design System token file.

The fixtures in tests/foundation/tokens/ are the real Voorbeeld theme of NL Design System
(npm @nl-design-system-unstable/voorbeeld-design-tokens 7.4.1, EUPL-1.2): its Tokens Studio
export (figma/voorbeeld.tokens.json, the sets brand, common, color-scheme-dark/common and
components/link/utrecht with the file's $metadata) and part of the dist/tokens.json Style
Dictionary wrote from it, both as published.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from panelsite.config import brand, tokens
from panelsite.config.municipality import load_municipalities

FIXTURES = Path(__file__).parent / "tokens"
CFG = "municipalities/teststad.yaml"
TOKENS = "municipalities/tokens/huisstijl.tokens.json"
COLOURS_IN_YAML = '  primary: "#0b5394"\n  secondary: "#c25e00"\n'


def use_tokens(project, source: Path | None = None, *, keep_colours: bool = False, text: str | None = None):
    """The test municipality with brand.tokens naming a copy of ``source`` (or ``text``)."""
    target = project.root / TOKENS
    target.parent.mkdir(parents=True, exist_ok=True)
    if text is not None:
        target.write_text(text, encoding="utf-8")
    else:
        shutil.copy(source or FIXTURES / "voorbeeld.tokens.json", target)
    project.edit(CFG, COLOURS_IN_YAML, ("  tokens: tokens/huisstijl.tokens.json\n"
                                        + (COLOURS_IN_YAML if keep_colours else "")))


def site_css(project) -> str:
    return (project.out / "teststad" / "assets" / "css" / "site.css").read_text(encoding="utf-8")


def line_of(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[:text.index(needle, start)].count("\n") + 1


def test_tokens_studio_export_resolves_aliases_and_leaves_out_the_dark_scheme():
    design, problems = tokens.read(FIXTURES / "voorbeeld.tokens.json", "voorbeeld.tokens.json")
    assert problems == []
    # basis.color.action-1.color-default → {basis.color.accent-1.color-default} → {voorbeeld.kleuren.violet.500}
    assert design.colours["primary"] == "#5115ef"
    # color-scheme-dark/common sets bg-document to #111111; the default scheme keeps white
    assert design.colours["background"] == "#ffffff"
    assert design.colours["text"] == "#001a40"
    assert design.colours["focus"] == "#0b0c0c" and design.colours["focus_background"] == "#ffdd00"
    assert design.fonts["font"] == '"Noto Sans", sans-serif'
    assert design.properties["--basis-heading-font-family"] == '"Noto Serif", serif'
    assert design.properties["--basis-border-radius-md"] == "8px"
    assert design.properties["--basis-focus-outline-style"] == "dashed"
    # outline-width is {basis.border-width.md}: 0.125rem, 2px at the default text size
    assert design.properties["--basis-focus-outline-width"] == "0.125rem"
    assert design.properties["--basis-space-block-md"] == "8px"


def test_style_dictionary_output_of_the_same_theme_gives_the_same_tokens():
    studio, _ = tokens.read(FIXTURES / "voorbeeld.tokens.json", "a.json")
    built, problems = tokens.read(FIXTURES / "voorbeeld-style-dictionary.json", "b.json")
    assert problems == []
    assert built.colours == studio.colours
    assert built.fonts == studio.fonts
    shared = set(built.properties) & set(studio.properties)
    assert {"--basis-border-radius-md", "--basis-heading-font-family", "--basis-space-block-xl"} <= shared
    assert {k: built.properties[k] for k in shared} == {k: studio.properties[k] for k in shared}


def test_older_style_dictionary_shape_with_value_and_aliases(tmp_path):
    """Source files as Utrecht's theme keeps them: {"value": …} without $, aliases to brand tokens."""
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({
        "gemeente": {"color": {"blue": {"value": "#1a5f8e"}, "orange": {"value": "rgb(160 80 0)"},
                               "black": {"value": "#111"}, "white": {"value": "hsl(0 0% 100%)"}}},
        "basis": {
            "color": {"default": {"color-document": {"value": "{gemeente.color.black}"},
                                  "bg-document": {"value": "{gemeente.color.white}"}},
                      "action-1": {"color-default": {"value": "{gemeente.color.blue}", "comment": "links"}},
                      "accent-1": {"color-default": {"value": "{gemeente.color.orange}"}}},
            "border-radius": {"md": {"value": 6}},
            "space": {"block": {"md": {"value": {"value": 0.5, "unit": "rem"}}}},
            "text": {"font-family": {"default": {"value": ["Fira Sans", "Arial", "sans-serif"]}}},
        },
    }), encoding="utf-8")
    design, problems = tokens.read(path, "tokens.json")
    assert problems == []
    assert design.colours == {"text": "#111111", "background": "#ffffff", "primary": "#1a5f8e",
                              "secondary": "#a05000"}
    assert design.fonts["font"] == '"Fira Sans", "Arial", sans-serif'
    assert design.properties["--basis-border-radius-md"] == "6px"  # Tokens Studio's bare number: pixels
    assert design.properties["--basis-space-block-md"] == "0.5rem"  # a DTCG 2025 dimension object


def test_a_site_takes_its_house_style_from_the_token_file(project, capsys):
    use_tokens(project)
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    css = site_css(project)
    # the colours under their NL Design System names, checked; the --ps- layer refers to the same values
    assert "--basis-color-action-1-color-default: #5115ef;" in css
    assert "--ps-brand-primary: #5115ef;" in css
    assert "--basis-text-font-family-default: \"Noto Sans\", sans-serif;" in css
    assert "--basis-heading-font-family: \"Noto Serif\", serif;" in css
    assert "--basis-border-radius-md: 8px;" in css
    assert "--basis-focus-outline-style: dashed;" in css
    assert "--basis-focus-background-color: #ffdd00;" in css
    # and the theme uses them
    assert "font-family: var(--basis-heading-font-family)" in css
    assert "border-radius: var(--basis-border-radius-md)" in css
    home = (project.out / "teststad" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl" class="focus-background">' in home


def test_without_a_token_file_the_theme_keeps_its_defaults(project, capsys):
    assert project.run("build", capsys=capsys)[0] == 0
    css = site_css(project)
    assert "--basis-border-radius-md: 4px;" in css
    assert "--basis-focus-outline-width: 3px;" in css
    assert "--basis-space-block-xl: 1rem;" in css
    assert "--basis-focus-background-color: transparent;" in css
    assert 'class="focus-background"' not in (project.out / "teststad" / "index.html").read_text(encoding="utf-8")


def test_a_colour_in_the_yaml_wins_over_its_token(project, capsys):
    use_tokens(project, keep_colours=True)
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    css = site_css(project)
    assert "--ps-brand-primary: #0b5394;" in css and "--ps-brand-secondary: #c25e00;" in css
    assert "--ps-brand-text: #001a40;" in css  # not written in the YAML: the token's


def test_a_failing_token_colour_names_the_token_file_line_and_path(project, capsys):
    text = (FIXTURES / "voorbeeld.tokens.json").read_text(encoding="utf-8")
    # the Voorbeeld theme's violet.500, which action-1 reaches through two aliases, made too light
    text = text.replace('"$value": "#5115EF"', '"$value": "#B9A6F5"')
    use_tokens(project, text=text)
    code, err = project.run("check", capsys=capsys)
    assert code == 2
    line = line_of(text, '"$value": "{basis.color.accent-1.color-default}"', after='"action-1"')
    assert (f"error: {TOKENS}:{line}: basis.color.action-1.color-default: links (primary colour): #b9a6f5 on "
            "#ffffff has contrast 2.14:1, needs 4.5:1 (nearest compliant colour: #7f5ced; ") in err
    assert "basis.color.accent-1.color-default: accents and form borders (secondary colour): #b9a6f5" in err
    assert f"or set brand.auto_adjust: true, or brand.primary in {CFG})" in err
    assert not (project.out / "teststad").exists()


def test_auto_adjust_with_tokens_warns_at_the_token(project, capsys):
    text = (FIXTURES / "voorbeeld.tokens.json").read_text(encoding="utf-8").replace('"#5115EF"', '"#B9A6F5"')
    use_tokens(project, text=text)
    project.edit(CFG, "  logo:", "  auto_adjust: true\n  logo:")
    code, err = project.run("build", capsys=capsys)
    assert code == 0, err
    assert f"warning: {TOKENS}:" in project.stdout + err
    assert "basis.color.action-1.color-default: links (primary colour): #b9a6f5" in project.stdout + err
    palette_primary = load_municipalities(project.root)["teststad"].palette.primary
    assert brand.contrast(palette_primary, "#ffffff") >= 4.5


def test_a_focus_ring_that_fails_is_reported_at_its_token(project, capsys):
    text = (FIXTURES / "voorbeeld.tokens.json").read_text(encoding="utf-8")
    old = '"outline-color": {\n          "$type": "color",\n          "$value": "#0b0c0c"'  # basis.focus in common
    assert old in text
    text = text.replace(old, old.replace("#0b0c0c", "#e0e0e0"), 1)
    use_tokens(project, text=text)
    code, err = project.run("check", capsys=capsys)
    assert code == 2
    assert "basis.focus.outline-color: focus outline: #e0e0e0 on #ffffff has contrast" in err


def test_every_problem_of_a_token_file_in_one_run(project, capsys):
    good = {"$type": "color", "$value": "#1a1a1a"}
    doc = {
        "basis": {
            "color": {
                "default": {"color-document": good, "bg-document": {"$type": "color", "$value": "#ffffff80"}},
                "action-1": {"color-default": {"$value": "{basis.color.acent-1.color-default}"}},
                "accent-1": {"color-default": {"$value": "{basis.color.accent-1.color-hover}"},
                             "color-hover": {"$value": "{basis.color.accent-1.color-default}"}},
            },
            "focus": {"outline-width": {"$type": "dimension", "$value": "1px"},
                      "outline-style": {"$value": "none"}},
            "border-radius": {"md": {"$type": "dimension", "$value": "ruim"}},
            "text": {"font-family": {"default": {"$value": "Arial; } body { display: none"}}},
        }
    }
    text = json.dumps(doc, indent=2)
    use_tokens(project, text=text)
    code, err = project.run("check", capsys=capsys)
    assert code == 2
    expected = [
        ("basis.color.default.bg-document", '"#ffffff80" has transparency, so its contrast cannot be checked'),
        ("basis.color.action-1.color-default", "the alias {basis.color.acent-1.color-default} names no token in "
                                               'this file (did you mean "basis.color.accent-1.color-default"?)'),
        ("basis.color.accent-1.color-default", "its aliases go round in a circle (basis.color.accent-1.color-default"
                                               " → basis.color.accent-1.color-hover → "
                                               "basis.color.accent-1.color-default)"),
        ("basis.focus.outline-width", "1px is too thin to see (expected at least 2px)"),
        ("basis.focus.outline-style", '"none" is not a visible outline style'),
        ("basis.border-radius.md", '"ruim" is not a length (expected a length like 8px or 0.5rem)'),
        ("basis.text.font-family.default", "\"Arial; } body { display: none\" is not a list of font names"),
    ]
    for token_path, message in expected:
        assert f": {token_path}: {message}" in err, (token_path, err)
    assert f"error: {TOKENS}:{line_of(text, '#ffffff80')}: basis.color.default.bg-document:" in err
    assert "7 problems found" in err


def test_invalid_json_is_reported_with_its_line(project, capsys):
    use_tokens(project, text='{\n  "basis": {\n    "color": {,\n  }\n}\n')
    code, err = project.run("check", capsys=capsys)
    assert code == 2
    assert f"error: {TOKENS}:3: not valid JSON: Expecting property name enclosed in double quotes" in err


def test_primary_is_required_without_tokens_and_without_yaml(project, capsys):
    project.edit(CFG, COLOURS_IN_YAML, "")
    code, err = project.run("check", capsys=capsys)
    assert code == 2
    assert (f"error: {CFG}:4: brand.primary: is required unless tokens is given "
            "(expected a hex colour like #1a5f8e)") in err


def test_a_token_file_without_the_primary_token(project, capsys):
    use_tokens(project, text=json.dumps({"basis": {"color": {"default": {
        "color-document": {"$value": "#1a1a1a"}, "bg-document": {"$value": "#ffffff"}}}}}))
    code, err = project.run("check", capsys=capsys)
    assert code == 2
    assert (f"brand.primary: is not in {TOKENS} (expected the token basis.color.action-1.color-default, "
            "or brand.primary here)") in err


def test_demo_heidebeek_takes_its_house_style_from_tokens():
    root = Path(__file__).resolve().parents[2]
    m = load_municipalities(root, only=["heidebeek"])["heidebeek"]
    assert m.brand.tokens == "tokens/heidebeek.tokens.json"
    assert m.brand.primary == "#f5a800" and m.palette.primary != "#f5a800"  # adjusted for contrast
    assert m.palette.focus_background == "#f5a800"
    assert m.design_tokens["--basis-border-radius-md"] == "6px"
    for pair in brand.checked_pairs(m.palette):
        assert brand.contrast(pair.foreground, pair.background) >= pair.required, pair


@pytest.mark.parametrize("value, css", [("0", "0"), ("2px", "2px"), (".5rem", ".5rem"), (4, "4px"),
                                        ({"value": 1.5, "unit": "rem"}, "1.5rem")])
def test_lengths(value, css):
    assert tokens._length(value)[0] == css
