"""Dutch plain-language (B1) texts about results: summary sentences and the method section.

Numbers are formatted with Babel (nl_NL): percentages as whole numbers, means
with one decimal. The "±" is half the width of the 95% interval, rounded; the
method text rounds the largest margin *up*, since it says "hoogstens".
"""

from __future__ import annotations

import datetime as _dt
import math

from babel.dates import format_date

from panelsite import i18n
from panelsite.surveys.figures import Comparison, Estimate, QuestionResult, SurveyResults

UP, DOWN, DIFFERENT = "▲", "▼", "≠"  # markers beside the words, never instead of them


def _whole(x: float) -> str:
    return i18n.number(x, 0)  # half up, like every figure on the page


def _one_decimal(x: float) -> str:
    return i18n.number(x, 1)  # "gemiddeld 6,6", also "7,0"


def _margin_pp(e: Estimate) -> str:
    m = math.floor(e.margin + 0.5)
    return f"± {_whole(m)} procentpunt" if m >= 1 else "± minder dan 1 procentpunt"


def _date(d) -> str:
    return format_date(d, format="d MMMM y", locale=i18n.babel_locale()) if isinstance(d, _dt.date) else str(d)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


def _label_phrase(labels: list[str]) -> str:
    """["Tevreden", "Zeer tevreden"] → "(zeer) tevreden"; otherwise "a of b"."""
    low = [label.lower() for label in labels]
    if len(low) == 2:
        for a, b in (low, low[::-1]):
            for intensifier in ("zeer ", "heel ", "helemaal "):
                if b == intensifier + a:
                    return f"({intensifier.strip()}) {a}"
    return " of ".join(low)


def summary_sentence(result: QuestionResult) -> str:
    """One Dutch sentence with the key figure, e.g.
    "62% (± 4 procentpunt) van de inwoners is tevreden over de afvalinzameling."."""
    q, f = result.question, result.total
    if f.n == 0:
        return "Er zijn (nog) geen antwoorden op deze vraag."
    if f.suppressed:
        return "Te weinig inwoners beantwoordden deze vraag om de uitkomst te laten zien."
    who = "van de inwoners die deze vraag kregen" if q.filter else "van de inwoners"
    if q.type == "open":
        sentence = f"{_whole(f.n)} {'inwoner gaf' if f.n == 1 else 'inwoners gaven'} een antwoord op deze open vraag."
    elif q.type in ("single", "multi", "scale"):
        phrase = _label_phrase([q.options[c] for c in q.key_codes])
        start = f"{_whole(f.key.value)}% ({_margin_pp(f.key)}) {who}"
        if q.subject and "tevreden" in phrase:
            sentence = f"{start} is {phrase} over {q.subject}."
        else:
            # The sentence stands under the question, so it need not repeat it (B1: short sentences).
            verb = "noemt" if q.type == "multi" else "antwoordt"
            sentence = f"{start} {verb} ‘{phrase}’."
    elif q.type == "grade":
        mean = f"{_one_decimal(f.mean.value)} (± {_one_decimal(f.mean.margin)})"
        if q.subject:
            sentence = f"Inwoners geven {q.subject} gemiddeld een {mean}."
        else:
            sentence = f"Het gemiddelde rapportcijfer is {mean}."
        sentence += f" {_whole(f.share_8plus.value)}% geeft een 8 of hoger."
    else:  # number
        unit = f" {q.unit}" if q.unit else ""
        sentence = (
            f"Het gemiddelde is {_one_decimal(f.mean.value)}{unit} (± {_one_decimal(f.mean.margin)}). "
            f"De middelste waarde is {i18n.median(f.median)}{unit}."
        )
    if f.indicative:
        sentence += f" Let op: dit is een indicatie, want maar {_whole(f.n)} inwoners beantwoordden deze vraag."
    return sentence


def round_when(day: _dt.date) -> str:
    """When a round was held (its fieldwork's last day), for "significant hoger dan in maart 2025"."""
    return format_date(day, format="MMMM y", locale=i18n.babel_locale())


def difference_text(diff: float, is_pct: bool) -> str:
    """"+4,8 procentpunt", "−0,3": a difference with its sign and one decimal (a whole number of
    points would not always be the difference of the whole percentages beside it)."""
    size = _one_decimal(abs(diff))
    sign = "" if size.strip("0,") == "" else ("+" if diff > 0 else "−")  # no sign on a difference that rounds to 0
    return f"{sign}{size} procentpunt" if is_pct else f"{sign}{size}"


def change_words(c: Comparison | None, when: str) -> tuple[str, str]:
    """(marker, words) for a change since the round held ``when`` ("maart 2025"); None: not tested."""
    if c is None:
        return "", "niet getoetst: te weinig deelnemers"
    if c.significant:
        return (UP, f"significant hoger dan in {when}") if c.diff > 0 else (DOWN, f"significant lager dan in {when}")
    return "", f"geen significant verschil met {when}"


def versus_rest_words(c: Comparison | None) -> tuple[str, str]:
    """(marker, words) for a group against the rest of the municipality."""
    if c is None:
        return "", "niet getoetst: kleine groep"
    if c.significant:
        return (UP, "significant hoger dan de rest") if c.diff > 0 else (DOWN, "significant lager dan de rest")
    return "", "geen significant verschil met de rest"


def distribution_words(test) -> tuple[str, str]:
    """(marker, words) for the whole answer distribution of a group against the rest."""
    if test is None:
        return "", "niet getoetst: kleine groep"
    if test.significant:
        return DIFFERENT, "verschilt significant van de rest"
    return "", "geen significant verschil met de rest"


def method_text(results: SurveyResults) -> list[str]:
    """Paragraphs (Dutch, B1) for the results page's method section."""
    s, w = results.survey, results.weighting
    first = (
        f"Het onderzoek liep van {_date(s.fieldwork_start)} tot en met {_date(s.fieldwork_end)}. "
        f"We nodigden {_whole(s.invited)} leden van het panel uit."
    )
    if not results.has_responses:
        return [first + " De resultaten volgen."]
    first += (
        f" {_whole(w.n)} van hen vulden de vragenlijst in. "
        f"Dat is {_whole(w.response_rate)}% van de uitgenodigde leden."
    )
    paragraphs = [first]
    margin = results.largest_margin
    if margin is not None:
        text = (
            "De uitkomsten zijn een schatting. Als alle inwoners hadden meegedaan, "
            "was de uitkomst misschien iets anders. "
            f"Voor alle inwoners samen is dat verschil hoogstens {_whole(math.ceil(margin))} procentpunt, "
            "naar boven of naar beneden. "
            "Daar zijn we voor 95% zeker van."
        )
        if any(r.breakdowns for r in results.questions):  # the groups' margins are wider, and shown with them
            text += " Voor een groep, zoals een wijk, is de marge groter. Die marge staat bij elke groep."
        paragraphs.append(text)
    if w.weighted:
        text = (
            "Niet alle groepen inwoners doen even vaak mee. "
            f"Daarom hebben we de antwoorden gewogen naar {_join(w.by)}. "
            "Zo telt elke groep mee naar haar aandeel in de bevolking. "
        )
        if results.population_source:
            text += (f"Daarvoor gebruikten we cijfers uit de {results.population_source}. "
                     f"Die cijfers zijn van {_date(results.population_date)}. ")
        text += (
            f"Het antwoord van één persoon telt hoogstens {_one_decimal(w.cap)} keer zo zwaar als gemiddeld. "
            "Door het wegen is de uitkomst iets minder precies. Dat hebben we meegerekend in de marge. "
            "We rekenen de marge uit zoals onderzoeksbureaus dat doen."
        )
        if w.margin_gap >= 1:
            text += (
                f" Door die grens klopt de verdeling na het wegen niet helemaal: "
                f"het verschil met de bevolking is hoogstens {_whole(math.ceil(w.margin_gap))} procentpunt."
            )
        paragraphs.append(text)
    else:
        paragraphs.append(
            "We hebben de antwoorden niet gewogen. De uitkomsten gelden voor de inwoners die meededen. "
            "Groepen die minder vaak meedoen, tellen daardoor minder mee."
        )
    paragraphs.append(
        f"Hebben minder dan {results.min_n} inwoners een vraag beantwoord? Dan laten we de uitkomst niet zien. "
        "Zo kan niemand terugzoeken wat iemand heeft geantwoord. "
        f"Hebben minder dan {results.indicative_n} inwoners een vraag beantwoord? Dan is de uitkomst een indicatie. "
        "Dat staat er dan bij. "
        "De marge rekenen we dan op een andere manier uit. Dat doen we ook bij uitkomsten dicht bij 0% of 100%. "
        "Die manier heet Wilson. Ze is dan betrouwbaarder."
    )
    paragraphs.append(
        "Soms is een uitkomst hoger of lager dan bij een andere groep. Of hoger of lager dan de vorige keer. "
        "Is dat een echt verschil? Of komt het door toeval? Dat rekenen we na. "
        "Heet een verschil ‘significant’? Dan is het waarschijnlijk geen toeval. "
        "De kans dat zo’n verschil alleen door toeval ontstaat, is dan kleiner dan 5%. "
        "Een verschil dat niet significant is, kan toeval zijn. "
        f"Bij een verschil dat significant is, staat een teken: {UP} voor hoger en {DOWN} voor lager. "
        f"Verschillen de antwoorden van een groep samen significant van de rest? Dan staat er {DIFFERENT}. "
        "Het teken staat altijd bij de woorden."
    )
    if any(r.breakdowns for r in results.questions):
        paragraphs.append(
            "We vergelijken elke groep, zoals een wijk, met de rest van de gemeente. "
            f"Dat doen we alleen bij groepen van {results.indicative_n} deelnemers of meer. "
            "Bij een kleinere groep is de uitkomst te onzeker. Dan zou elk verschil toeval kunnen zijn. "
            "Let op: we maken veel vergelijkingen. Dan is een verschil soms toch significant door toeval. "
            "Dat gebeurt bij ongeveer 1 op de 20 vergelijkingen. "
            "Kijk dus vooral naar verschillen die groot zijn of die vaker terugkomen."
        )
    if results.survey.series:
        paragraphs.append(
            "We vergelijken de uitkomsten ook met het vorige onderzoek over hetzelfde onderwerp. "
            "Daarbij tellen we de marges van beide onderzoeken mee."
        )
    return paragraphs
