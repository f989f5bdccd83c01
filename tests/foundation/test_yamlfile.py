"""YAML mistakes editors make come back as plain advice at the right line, never as parser jargon."""

from __future__ import annotations

import pytest

from panelsite.config import yamlfile
from panelsite.errors import ConfigError

F = "municipalities/teststad.yaml"


def problems(text: str, offset: int = 0) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        yamlfile.parse(text, F, offset)
    return [str(p) for p in caught.value.problems]


SYNTAX = [
    ("colon in a value",
     "name: Teststad\ncontact:\n  hours: ma-vr: 9-17 uur\n",
     f'{F}:3: invalid YAML in «hours: ma-vr: 9-17 uur»: a ": " inside a value makes YAML read a new key; '
     'put the value in quotes: hours: "ma-vr: 9-17 uur" (YAML: mapping values are not allowed in this context)'),
    ("tab as indentation",
     "contact:\n\temail: panel@teststad.nl\n",
     f"{F}:2: invalid YAML in «email: panel@teststad.nl»: a tab is not allowed here: YAML indents with spaces "
     "only; replace the tab by spaces (YAML: found character that cannot start any token)"),
    ("text after a closing quote",
     'name: Teststad\ntagline: "Uw mening" telt\n',
     f"{F}:2: invalid YAML in «tagline: \"Uw mening\" telt»: a value that starts with a quote must end with "
     "that quote; to keep it as text, put the whole value in quotes: tagline: '\"Uw mening\" telt' "
     "(YAML: did not find expected key)"),
    ("list item without its dash",
     "privacy:\n  purposes:\n    - Onderzoek\n    Leden uitnodigen\n  brp_sample: false\n",
     f'{F}:4: invalid YAML in «Leden uitnodigen»: this line is in a list but does not start with "- "; '
     "write it as a list item: - Leden uitnodigen (YAML: could not find expected ':')"),
    ("apostrophe inside single quotes",
     "tagline: 'Minder auto's in het centrum'\n",
     f"{F}:1: invalid YAML in «tagline: 'Minder auto's in het centrum'»: inside a value in single quotes an "
     "apostrophe ends the value; write each apostrophe twice: tagline: 'Minder auto''s in het centrum' "
     "(YAML: did not find expected key)"),
    ("place name starting with an apostrophe",
     "name: 's-Hertogenbosch\npanel_name: Bossche Panel\n",
     f"{F}:1: invalid YAML in «name: 's-Hertogenbosch»: the quote ' that starts this value is not closed; "
     "end the value with ', or, when the ' is part of the text (like 's-Hertogenbosch), put the whole value "
     "in quotes: name: \"'s-Hertogenbosch\" (YAML: found unexpected end of stream)"),
    ("a value in square brackets followed by text",
     "title: [Concept] Afval\n",
     f"{F}:1: invalid YAML in «title: [Concept] Afval»: a value that starts with [ is read as a list or mapping; "
     'to keep it as text, put the whole value in quotes: title: "[Concept] Afval" (YAML: did not find expected key)'),
    ("a value starting with @",
     "contact:\n  department: @team\n",
     f'{F}:2: invalid YAML in «department: @team»: a value cannot start with "@"; put it in quotes: '
     'department: "@team" (YAML: found character that cannot start any token)'),
    ("a key indented too far",
     "brand:\n  primary: x\n    secondary: y\n",
     f"{F}:3: invalid YAML in «secondary: y»: this line is indented further than the key above it, so YAML reads "
     "it as part of that key's value; indent it like the keys it belongs with "
     "(YAML: mapping values are not allowed in this context)"),
    ("no space after the colon",
     "brand:\n  logo:\n    alt:Gemeente Teststad\n    file: x.svg\n",
     f'{F}:3: invalid YAML in «alt:Gemeente Teststad»: put a space after the ":" that ends the key (key: value) '
     "(YAML: mapping values are not allowed in this context)"),
    ("no space after the colon, last key of a block",
     "brand:\n  logo:\n    file: x.svg\n    alt:Gemeente Teststad\ncontact: {}\n",
     f'{F}:4: invalid YAML in «alt:Gemeente Teststad»: put a space after the ":" that ends the key (key: value) '
     "(YAML: could not find expected ':')"),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in SYNTAX], ids=[c[0] for c in SYNTAX])
def test_syntax_errors_are_explained_at_the_line_to_change(text, expected):
    assert problems(text) == [expected]


def test_syntax_error_in_front_matter_counts_the_opening_dashes():
    assert problems("title: Contact\nintro: 'Minder auto's'\n", offset=1)[0].startswith(f"{F}:3: invalid YAML in «intro:")


def test_an_error_without_a_translation_keeps_the_parsers_words():
    assert problems("name: Teststad\n---\npanel_name: x\n") == [f"{F}:2: invalid YAML: but found another document"]


def test_an_unclosed_bracket_is_reported_where_it_opens():
    # YAML notices it a line later, where the next key starts
    assert problems("name: x\ninvited: [2352\npublish_on: 2026-04-15\n") == [
        f"{F}:2: invalid YAML in «invited: [2352»: the [ that starts this value is not closed; a value that starts "
        'with [ is a list: end it with ], or, to keep it as text, put the whole value in quotes: invited: "[2352" '
        "(YAML: did not find expected ',' or ']')"]


def test_a_backslash_in_double_quotes():
    assert problems('name: "C:\\q"\n')[0].startswith(f"{F}:1: invalid YAML in «name: \"C:\\q\"»: inside double quotes a backslash")


def test_a_yaml_tag_is_a_message_not_a_traceback():
    assert problems("name: !Teststad\n") == [
        f'{F}:1: name: a value cannot start with "!" (YAML reads it as a type); put it in quotes: name: "!Teststad"']


@pytest.mark.parametrize("line,fixed", [
    ("  primary: #0b5394", 'primary: "#0b5394"'),        # required key: was "is required"
    ("  background: #fff3d6", 'background: "#fff3d6"'),  # optional key: was silently dropped
    ("  phone: #14 0123", 'phone: "#14 0123"'),
    ("  primary: #0b5394   # huisstijl 2024", 'primary: "#0b5394"'),
])
def test_a_value_that_yaml_reads_as_a_comment_is_an_error(line, fixed):
    key = line.split(":")[0].strip()
    assert problems(f"name: Teststad\nbrand:\n{line}\n  secondary: x\n") == [
        f"{F}:3: brand.{key}: everything after # is a comment in YAML, so this has no value; put it in quotes: {fixed}"]


def test_a_swallowed_list_item_and_front_matter_offset():
    assert problems("title: x\ntags:\n  - #nieuws\n", offset=1) == [
        f'{F}:4: tags.0: everything after # is a comment in YAML, so this has no value; put it in quotes: - "#nieuws"']


def test_an_explaining_comment_after_an_empty_key_stays_a_comment():
    located = yamlfile.parse("follow_up:        # optional: added later\nfavicon:\n# phone: #14\n", F)
    assert located.data == {"follow_up": None, "favicon": None}


def test_source_text_is_kept_for_values_yaml_retypes():
    located = yamlfile.parse(
        'phone: 0701234567\npostcode: 1234\nlabel: No\ncount: 9.800\nname: "0701234567"\nplain: tekst\n', F)
    assert located.data["phone"] == 0o701234567  # YAML 1.1: an octal number
    assert located.raw == {"phone": "0701234567", "postcode": "1234", "label": "No", "count": "9.800"}


def test_values_and_lines_are_what_the_safe_loader_gives():
    import yaml

    text = ("a: 1\nb: [x, 'y', 2026-01-01]\nc: {d: ~, e: yes}\nf: &anchor\n  g: 1.5\nh:\n  <<: *anchor\n  i: !!str 7\n"
            '"2026-02-02": key\n')
    located = yamlfile.parse(text, F)
    assert located.data == yaml.safe_load(text) | {"2026-02-02": "key"}
    assert located.lines["h.g"] == 5 and located.line("b.1") == 2 and located.lines["c.e"] == 3
