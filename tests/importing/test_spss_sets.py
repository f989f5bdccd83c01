"""SPSS multiple-response sets (MRSETS), in .sav files written by GNU PSPP: pyreadstat reads sets but cannot write them."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pytest

from . import exports as x

PSPP = shutil.which("pspp") or "pspp"  # Debian's pspp, installed by scripts/install.sh


def _pspp(folder, people, mentions: bool):
    """A .sav with the round: q3 as a dichotomy set (MDGROUP) or as a category set of mentions (MCGROUP)."""
    with open(folder / "data.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for p in people:
            q3 = [str(p.q3[i]) if i < len(p.q3) else "" for i in range(3)] if mentions else [str(int(c in p.q3)) for c in x.Q3]
            w.writerow([list(x.BANDS).index(p.band) + 1, 1 if p.sex == "man" else 2, x.WIJKEN.index(p.wijk) + 1,
                        p.q1, p.q2 or 99, *q3, p.q4, p.q5 or "", p.q6 if p.q6 is not None else "", p.q7 or " "])
    q3_vars = "keuze1 keuze2 keuze3" if mentions else "afv1 afv2 afv3 afv4"
    q3_formats = " ".join(f"{v} F1.0" for v in q3_vars.split())
    sets = (f"MRSETS /MCGROUP NAME=$q3 LABEL='{x.TEXTS['q3']}' VARIABLES={q3_vars}." if mentions else
            f"MRSETS /MDGROUP NAME=$afval LABEL='{x.TEXTS['q3']}' VARIABLES={q3_vars} VALUE=1.")
    value_labels = (" /".join(f"{v} {' '.join(f'{c} {chr(39)}{label}{chr(39)}' for c, label in x.Q3.items())}"
                              for v in q3_vars.split()) if mentions else
                    " /".join(f"{v} 0 'Niet genoemd' 1 'Genoemd'" for v in q3_vars.split()))
    labels = " ".join(f"{v} '{label}'" for v, label in zip(["afv1", "afv2", "afv3", "afv4"], x.Q3.values())) if not mentions else ""
    syntax = f"""
GET DATA /TYPE=TXT /FILE='{folder / "data.csv"}' /ENCODING='UTF-8' /DELIMITERS=',' /QUALIFIER='"' /ARRANGEMENT=DELIMITED
  /VARIABLES=leeftijd F1.0 gesl F1.0 wijk F1.0 vr1 F1.0 vr2 F2.0 {q3_formats} vr4 F1.0 vr5 F1.0 vr6 F8.2 vr7 A200.
VARIABLE LABELS vr1 '{x.TEXTS["q1"]}' /vr2 '{x.TEXTS["q2"]}' /vr4 '{x.TEXTS["q4"]}' /vr5 '{x.TEXTS["q5"]}'
  /vr6 '{x.TEXTS["q6"]}' /vr7 '{x.TEXTS["q7"]}' {('/' + labels) if labels else ''}.
VALUE LABELS leeftijd 1 '18-34' 2 '35-49' 3 '50-64' 4 '65+' /gesl 1 'Man' 2 'Vrouw' /wijk 1 'Noord' 2 'Zuid' 3 'Centrum'
  /vr1 1 'Zeer ontevreden' 2 'Ontevreden' 3 'Niet tevreden, niet ontevreden' 4 'Tevreden' 5 'Zeer tevreden' 9 'Weet niet'
  /vr4 1 'Ja' 2 'Nee' 9 'Weet niet' /{value_labels}.
MISSING VALUES vr1 vr4 (9) /vr2 (99).
{sets}
SAVE OUTFILE='{folder / "round.sav"}'.
"""
    (folder / "round.sps").write_text(syntax, encoding="utf-8")
    subprocess.run([PSPP, "-o", str(folder / "pspp.txt"), str(folder / "round.sps")], check=True, capture_output=True)
    return folder / "round.sav"


@pytest.mark.parametrize("mentions", [False, True], ids=["dichotomy-set", "category-set"])
def test_a_multiple_response_set_becomes_the_multi_question(project, exports, capsys, mentions):
    exports.mkdir()
    source = _pspp(exports, x.COMPLETES, mentions)
    import pyreadstat

    assert pyreadstat.read_sav(str(source), metadataonly=True)[1].mr_sets, "PSPP wrote the set"
    report = project.report(capsys, source)
    assert project.csv.read_bytes() == x.canonical_csv()
    mapped = {m["column"]: (m["to"], m["how"]) for m in report["mapped"]}
    if mentions:
        assert mapped["q3_4"] == ("q3_4", "by name")
    else:
        assert mapped["afv2"] == ("q3_2", "multiple-response set")


def test_a_set_becomes_a_multi_question_in_the_draft(empty_project, exports, capsys):
    exports.mkdir()
    source = _pspp(exports, x.COMPLETES, mentions=False)
    assert empty_project.run(capsys, source)[0] == 0
    text = (empty_project.survey / "survey.yaml").read_text()
    assert ('  - id: afval\n    text: "Welke soorten afval houdt u apart?"\n    type: multi  # check: a '
            'multiple-response question: one 0/1 column per option\n    options:\n      1: "Papier"\n      2: "Glas"\n'
            '      3: "Plastic"\n      4: "Geen van deze"\n') in text
