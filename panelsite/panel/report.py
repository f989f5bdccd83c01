"""The staff report ``python build.py panel-report <slug>``: never published.

Printed and written as Markdown (default ``reports/panel-<slug>.md``; reports/
is git-ignored). Unlike the public page it shows every group, also small ones:
it is for the people who already hold the register.
"""

from __future__ import annotations

import sys
from pathlib import Path

from panelsite import i18n
from panelsite.config.municipality import load_municipalities
from panelsite.errors import DataError, Problem, relpath, reporting
from panelsite.panel.composition import Composition, PanelWeights, compose, panel_weights, recruitment
from panelsite.panel.pages import signed
from panelsite.panel.register import Register, read_register, register_path

CAPS = (None, 5.0)


def report_command(root: Path, slug: str, threshold: float = 0.8, out: Path | None = None) -> int:
    """Load one municipality and its register, print the report and write it to ``out``."""
    with reporting(lambda line: print(line, file=sys.stderr)):  # stdout is the report's
        municipality = load_municipalities(root, [slug])[slug]
    path = register_path(root, slug)
    display = relpath(path, root)
    if not path.is_file():
        raise DataError(Problem(display, f"no member register (expected the output of python build.py export {slug} "
                                         "members saved at this path)"))
    register = read_register(path, display, municipality.population.variables)
    text = report_text(municipality, register, threshold)
    out = out or root / "reports" / f"panel-{slug}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"Written to {relpath(out, root)} (not published).", file=sys.stderr)
    return 0


def report_text(municipality, register: Register, threshold: float = 0.8) -> str:
    c = compose(register, municipality)
    weights = [panel_weights(register, municipality, cap) for cap in CAPS]
    lines = [f"# Panelrapport {municipality.panel_name}", "",
             "Intern rapport, niet voor publicatie.", "",
             f"- Ledenbestand: {c.register_file}, stand {i18n.date(c.date)}",
             f"- Bevolkingscijfers: {c.population_source or 'bron onbekend'}, {_date(c.population_date)}",
             f"- Actieve leden: {i18n.number(c.size)}", ""]
    lines += _under_represented(c, threshold)
    lines += _recruitment(c)
    lines += _weights(weights)
    return "\n".join(lines) + "\n"


def _date(value) -> str:
    return i18n.date(value) if hasattr(value, "year") else str(value or "datum onbekend")


def _ratio(value: float) -> str:
    """0,8 / 0,75: as many decimals as needed, at most 2."""
    return f"{round(value, 2):g}".replace(".", ",")


def _pct(value: float) -> str:
    return i18n.percent(value, 1)


def _under_represented(c: Composition, threshold: float) -> list[str]:
    lines = [f"## Ondervertegenwoordigde groepen (verhouding panel/bevolking onder {_ratio(threshold)})", ""]
    rows = [(v.variable, g) for v in c.variables for g in v.groups if g.population and g.ratio < threshold]
    if not rows:
        return lines + ["Geen: elke groep haalt de drempel.", ""]
    lines += ["| Variabele | Groep | Leden | Panel | Bevolking | Verschil (procentpunt) | Verhouding |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for variable, g in sorted(rows, key=lambda r: r[1].ratio):
        lines.append(f"| {variable} | {g.category} | {i18n.number(g.members)} | {_pct(g.panel_pct)} | "
                     f"{_pct(g.population_pct)} | {signed(g.difference)} | {i18n.number(g.ratio, 2)} |")
    unknown = [f"{v.variable}: {i18n.number(v.unknown)}" for v in c.variables if v.unknown]
    if unknown:
        lines += ["", "Leden zonder waarde tellen niet mee in de aandelen (" + "; ".join(unknown) + ")."]
    return lines + [""]


def _recruitment(c: Composition) -> list[str]:
    lines = ["## Werving naar evenredigheid", "",
             "Per variabele apart: het kleinste panel waarin elke groep haar aandeel in de bevolking haalt zonder "
             "dat er leden vertrekken is N = max over de groepen van leden / aandeel; per groep werven we "
             "⌈aandeel × N − leden⌉. Leden van wie de variabele onbekend is, tellen niet mee. Werving voor de ene "
             "variabele verandert ook de verdeling over de andere.", ""]
    for v in c.variables:
        target, rows = recruitment(v)
        total = sum(r.recruit for r in rows)
        lines += [f"### {v.variable.capitalize()}", "",
                  f"Doelomvang N = {i18n.number(target, 1)}; in totaal {i18n.number(total)} leden te werven.", "",
                  "| Groep | Leden | Aandeel bevolking | Werven |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {r.category} | {i18n.number(r.members)} | {_pct(r.share * 100)} | {i18n.number(r.recruit)} |"
                  for r in rows]
        lines.append("")
    return lines


def _weights(weights: list[PanelWeights]) -> list[str]:
    lines = ["## Gewichten zonder werving", "",
             "Het actieve panel gewogen naar de bevolkingscijfers (alle variabelen), alsof iedereen meedoet, met de "
             "weging van de onderzoeken. Design effect = n·Σw²/(Σw)²; effectieve n = (Σw)²/Σw².", "",
             "| Afkapping | Leden | Grootste gewicht | Kleinste gewicht | Design effect | Effectieve n |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    notes = []
    for w in weights:
        cap = "geen" if w.cap is None else i18n.number(w.cap)
        if w.problem:
            lines.append(f"| {cap} | {i18n.number(w.n)} | – | – | – | – |")
            notes.append(f"Afkapping {cap}: {w.problem}.")
        else:
            lines.append(f"| {cap} | {i18n.number(w.n)} | {i18n.number(w.max_weight, 2)} | "
                         f"{i18n.number(w.min_weight, 2)} | {i18n.number(w.deff, 2)} | {i18n.number(w.n_eff)} |")
    if weights and weights[0].excluded:
        notes.append(f"{i18n.number(weights[0].excluded)} actieve leden zonder waarde voor een van de variabelen "
                     "tellen niet mee.")
    return lines + ([""] + notes if notes else []) + [""]
