"""The header logo (config/logo.py): its own proportions, and a check that it stands out from the header."""

from pathlib import Path

import pytest
from PIL import Image

from panelsite.config.logo import contrast_problem, read_logo

from .conftest import REPO

WORDMARK = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 60">'
            '<g fill="{fill}"><rect x="0" y="0" width="60" height="60"/>'
            '<path d="M80 10h200v40H80z"/></g></svg>')


def _svg(tmp_path, text, name="logo.svg") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_wide_wordmark_keeps_its_proportions_within_48_by_200(tmp_path):
    logo = read_logo(_svg(tmp_path, WORDMARK.format(fill="#ffffff")))
    assert (logo.width, logo.height) == (300, 60)
    assert logo.display_size() == (200, 40)  # as wide as it may be, not squashed into 48 × 48
    tall = read_logo(_svg(tmp_path, '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="80"/>', "t.svg"))
    assert tall.display_size() == (12, 48)


def test_a_logo_in_the_header_colour_vanishes_and_one_partly_in_it_is_weak(tmp_path):
    same = read_logo(_svg(tmp_path, WORDMARK.format(fill="#0b5394")))
    severity, said = contrast_problem(same, "#0b5394")
    assert severity == "error" and "0% of the logo reaches 3:1" in said and "#0b5394" in said
    # a white backdrop covering a fifth, the rest in the header's colour: seen, but weak
    weak = read_logo(_svg(tmp_path, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
                                    '<rect width="100" height="100" fill="#0b5394"/>'
                                    '<circle cx="50" cy="50" r="25" fill="white"/></svg>', "w.svg"))
    assert contrast_problem(weak, "#0b5394")[0] == "warning"
    assert contrast_problem(read_logo(_svg(tmp_path, WORDMARK.format(fill="#ffffff"), "ok.svg")), "#0b5394") is None


def test_inherited_and_styled_colours_and_relative_paths_are_read(tmp_path):
    logo = read_logo(_svg(tmp_path, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
                                    '<g style="fill: rgb(255, 255, 255)"><path d="m10 10 h80 v80 h-80 z"/></g>'
                                    '<path d="M0 0L5 5" style="stroke:#000;fill:none" stroke-width="2"/></svg>'))
    assert set(logo.colours) == {"#ffffff", "#000000"} and logo.colours["#ffffff"] > 0.9  # 80 × 80 from relative moves


def test_a_raster_logo_is_judged_by_its_opaque_pixels(tmp_path):
    image = Image.new("RGBA", (120, 40), (0, 0, 0, 0))  # transparent, with a dark blue wordmark
    for x in range(10, 110):
        for y in range(10, 30):
            image.putpixel((x, y), (11, 83, 148, 255))
    image.save(tmp_path / "logo.png")
    logo = read_logo(tmp_path / "logo.png")
    assert (logo.width, logo.height) == (120, 40) and logo.display_size() == (144, 48)
    assert contrast_problem(logo, "#0b5394")[0] == "error"
    assert contrast_problem(logo, "#ffffff") is None


def test_the_build_fails_on_a_vanishing_logo_with_file_line_and_the_fix(project, capsys):
    project.write("municipalities/assets/logo.svg", WORDMARK.format(fill="#0b5394"))
    code, err = project.run("check", capsys=capsys)
    assert code == 2
    assert "municipalities/teststad.yaml:8: brand.logo.file: the logo assets/logo.svg has too little contrast" in err
    assert "it would vanish" in err and "brand.logo_on_dark" in err and "brand.header" in err


def test_a_dark_header_shows_the_logo_on_dark_and_a_light_header_the_logo(project, capsys):
    project.write("municipalities/assets/light.svg", WORDMARK.format(fill="#ffffff"))
    project.write("municipalities/assets/logo.svg", WORDMARK.format(fill="#0b5394"))
    project.edit("municipalities/teststad.yaml", "  logo:\n", "  logo_on_dark: assets/light.svg\n  logo:\n")
    assert project.run(capsys=capsys)[0] == 0
    home = (project.out / "teststad" / "index.html").read_text(encoding="utf-8")
    assert 'src="assets/logo.svg?v=' in home and 'width="200" height="40"' in home
    served = (project.out / "teststad" / "assets" / "logo.svg").read_text(encoding="utf-8")
    assert 'fill="#ffffff"' in served  # the light variant on the dark blue header
    project.edit("municipalities/teststad.yaml", '  primary: "#0b5394"\n', '  primary: "#0b5394"\n  header: "#ffffff"\n')
    assert project.run(capsys=capsys)[0] == 0  # a white header: the dark logo itself
    served = (project.out / "teststad" / "assets" / "logo.svg").read_text(encoding="utf-8")
    assert 'fill="#0b5394"' in served


@pytest.mark.parametrize("slug", ["lindenhaven", "brugwaard", "heidebeek"])
def test_the_demo_logos_stand_out_from_their_headers(slug):
    from panelsite.config.municipality import load_municipalities

    m = load_municipalities(REPO, [slug])[slug]
    logo = read_logo(m.config_dir / m.header_logo.file)
    assert contrast_problem(logo, m.palette.header_background) is None
    width, height = m.header_logo.width, m.header_logo.height
    assert abs(width / height / logo.ratio - 1) < 0.02
