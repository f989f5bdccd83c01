"""The municipality configuration: ``municipalities/<slug>.yaml``.

The schema is declared here, one option per line with its help text (tests
check every option is documented in docs/configuration.md). ``load_municipalities``
validates every file and raises one ConfigError holding all problems; what it returns,
a :class:`Municipality` per file, is read-only from then on.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass, fields
from pathlib import Path

from panelsite.config import brand as brand_mod
from panelsite.config import dates
from panelsite.config import logo as logo_mod
from panelsite.config import tokens as tokens_mod
from panelsite.config.kept import kept
from panelsite.config.schema import (
    Bool,
    Choice,
    Color,
    Context,
    Date,
    Email,
    FilePath,
    Frozen,
    ImageFile,
    Int,
    Invalid,
    ListOf,
    Mapping,
    Option,
    Record,
    Str,
    Url,
    freeze,
    validate,
)
from panelsite.config.yamlfile import Located
from panelsite.config.yamlfile import load as load_yaml
from panelsite.errors import ConfigError, Problem, relpath, warn
from panelsite.forms.definitions import FORMS

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Population(Option):
    """``source``, ``date`` and one mapping ``{category: count}`` per background variable.

    A category may also be ``{count: 18500, label: Mannen}``: the label is how pages and forms
    show it; without one, the category itself with a capital first letter ("man" → "Man").
    """

    expected = "source, date and per background variable a mapping of category to a count"

    def convert(self, value, path, ctx: Context):
        if not isinstance(value, dict):
            raise Invalid("is not a mapping")
        out = Record(source=None, date=None, variables=Record(), labels=Record())
        out.source = Str(required=True).check(value.get("source"), f"{path}.source", ctx)
        out.date = Date(required=True).check(value.get("date"), f"{path}.date", ctx)
        count, label = Int(min=0), Str(min_length=1)
        for name, categories in value.items():
            if name in ("source", "date"):
                continue
            child = f"{path}.{name}"
            if not SLUG.fullmatch(str(name)) and not re.fullmatch(r"[a-z_][a-z0-9_]*", str(name)):
                ctx.report(child, f'"{name}" is not a valid variable name (expected lowercase letters, digits, - or _)')
                continue
            if not isinstance(categories, dict) or len(categories) < 2:
                ctx.report(child, "needs at least two categories (expected a mapping of category to a count, "
                                  "or to {count: …, label: …})")
                continue
            counts, labels = Record(), Record()
            for category, entry in categories.items():
                where = f"{child}.{category}"
                if isinstance(entry, dict):
                    unknown = set(entry) - {"count", "label"}
                    if unknown:
                        ctx.report(where, f"unknown key {sorted(unknown)[0]} (expected count and label)")
                    counts[str(category)] = count.check(entry.get("count"), f"{where}.count", ctx)
                    given = label.check(entry.get("label"), f"{where}.label", ctx) if "label" in entry else None
                else:
                    counts[str(category)] = count.check(entry, where, ctx)
                    given = None
                labels[str(category)] = given or category_label(category)
            if any(v is None for v in counts.values()):
                continue
            if sum(counts.values()) == 0:
                ctx.report(child, "all counts are zero (expected population counts per category)")
            out.variables[str(name)] = counts
            out.labels[str(name)] = labels
        return out

    def json_type(self):
        count = Int(min=0, required=True, help="Number of residents aged 18+.").json_schema()
        label = Str(required=True, min_length=1, help="How pages and forms show it.").json_schema()
        labelled = {"type": "object", "properties": {"count": count, "label": label},
                    "required": ["count"], "additionalProperties": False}
        counts = {"type": "object", "minProperties": 2, "additionalProperties": {"anyOf": [count, labelled]}}
        return {
            "type": "object",
            "properties": {"source": Str(required=True, help="Where the figures come from, like BRP.").json_schema(),
                           "date": Date(required=True, help="The date the figures describe.").json_schema()},
            "required": ["source", "date"],
            "propertyNames": {"pattern": r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*|[a-z_][a-z0-9_]*)$"},
            "additionalProperties": {**counts, "description": "Category → number of residents aged 18+, or "
                                                              "{count: …, label: …}."},
        }


class Themes(Option):
    """``themes: {haven: Haven en scheepvaart}``: the municipality's own themes beside the fixed ones."""

    expected = "a mapping of theme id to its Dutch label, like {haven: Haven en scheepvaart}"

    def __init__(self, **kw):
        kw.setdefault("default", Record)
        super().__init__(**kw)

    def convert(self, value, path, ctx: Context):
        from panelsite.surveys.definition import THEMES

        if not isinstance(value, dict):
            raise Invalid(f"{value!r} is not a mapping")
        out = Record()
        for theme, label in value.items():
            child = f"{path}.{theme}"
            if not SLUG.fullmatch(str(theme)):
                ctx.report(
                    child,
                    f'"{theme}" is not a valid theme id (expected lowercase letters, digits and hyphens, like haven)',
                )
            elif theme in THEMES:
                ctx.report(
                    child,
                    f'"{theme}" is already a fixed theme ("{THEMES[theme]}") (expected a new id, or leave it out)',
                )
            else:
                converted = Str(required=True, min_length=1).check(label, child, ctx)
                if converted:
                    out[str(theme)] = converted
        return out

    def json_type(self):
        from panelsite.surveys.definition import THEMES

        return {"type": "object",
                "propertyNames": {"pattern": f"^(?:{SLUG.pattern})$", "not": {"enum": list(THEMES)}},
                "additionalProperties": Str(required=True, min_length=1, help="The Dutch label.").json_schema()}


def category_label(category) -> str:
    """A category as pages show it when the configuration gives no label: a capital first letter."""
    text = str(category)
    return text[:1].upper() + text[1:]


def _check_url_path(record, path, ctx):
    if record.get("base_url") and "?" in record.base_url:
        ctx.report(f"{path}base_url", "must not contain a query string (expected an absolute http(s) URL)")


BRAND = Mapping(
    {
        "tokens": FilePath(
            suffixes=(".json",),
            help="Design-token file in the DTCG / Style Dictionary JSON format of NL Design System themes, "
                 "relative to municipalities/: colours, fonts, focus ring, radius and spacing from its basis "
                 "tokens; a colour or font written here wins over its token.",
        ),
        "primary": Color(required_unless="tokens", help="Main brand colour: header, buttons, links."),
        "secondary": Color(required_unless="tokens", help="Accent colour: borders, highlights; the data palette's "
                                                          "second colour when it is usable."),
        "text": Color(default="#1a1a1a", help="Body text colour."),
        "background": Color(default="#ffffff", help="Page background colour."),
        "header": Color(help="Header background colour (default: the primary colour); its text is white or the "
                             "text colour, whichever reads best."),
        "logo": Mapping(
            {
                "file": ImageFile(
                    required=True,
                    suffixes=(".svg", ".png", ".jpg", ".jpeg", ".webp"),
                    help="Logo file, relative to municipalities/.",
                ),
                "alt": Str(required=True, min_length=1, max_length=250, help="Text alternative of the logo."),
            },
            required=True,
            help="The logo shown in the header.",
        ),
        "logo_on_dark": ImageFile(suffixes=(".svg", ".png", ".jpg", ".jpeg", ".webp"),
                                  help="A light version of the logo for a dark header (white header text), "
                                       "relative to municipalities/; the same text alternative."),
        "favicon": ImageFile(suffixes=(".svg", ".png", ".ico"), help="Favicon file, relative to municipalities/."),
        "font": Str(
            default='system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
            help="CSS font stack; only locally installed fonts, nothing is loaded from elsewhere.",
        ),
        "auto_adjust": Bool(
            default=False,
            help="Replace colours that fail WCAG contrast by the nearest compliant shade (with a warning).",
        ),
    },
    required=True,
    help="House style.",
)

CONTACT = Mapping(
    {
        "department": Str(help="Team or department that runs the panel."),
        "email": Email(required=True, help="E-mail address for panel members."),
        "phone": Str(help="Phone number as residents dial it."),
        "address": Str(help="Postal address (one line)."),
        "hours": Str(help="When the phone is answered."),
    },
    required=True,
    help="How residents reach the panel team.",
)

PRIVACY = Mapping(
    {
        "controller": Str(
            required=True, help="The controller (verwerkingsverantwoordelijke), usually the municipality."
        ),
        "controller_address": Str(help="Address of the controller."),
        "dpo_name": Str(help="Name or role of the data-protection officer (FG)."),
        "dpo_email": Email(required=True, help="E-mail address of the data-protection officer."),
        "purposes": ListOf(Str(min_length=1), min_items=1, required=True, help="Why personal data are processed."),
        "legal_basis": Str(default="toestemming (artikel 6 lid 1 sub a AVG)", help="Legal basis of the processing."),
        "brp_sample": Bool(default=False, help="Members were invited from a sample of the population register (BRP)."),
        "retention": Mapping(
            {
                "unconfirmed_days": Int(
                    min=1, max=90, default=14, help="Sign-ups not confirmed within this many days are deleted."
                ),
                "contact_messages_days": Int(
                    min=1,
                    max=3650,
                    default=180,
                    help="Messages sent with the contact form are deleted after this many days.",
                ),
                "answers_months": Int(
                    min=1,
                    max=240,
                    default=60,
                    help="Pseudonymous answers are deleted after this many months; published figures stay.",
                ),
                "left_members_days": Int(
                    min=0,
                    max=365,
                    default=0,
                    help="Days after leaving until contact data and the member's profile are deleted (0: at once).",
                ),
            },
            help="How long data are kept; the collector's retention command deletes accordingly.",
        ),
        "processors": ListOf(
            Mapping(
                {
                    "name": Str(required=True, help="Processor's name."),
                    "role": Str(required=True, help="What it does for the municipality."),
                    "location": Str(default="Nederland", help="Where the data are processed."),
                }
            ),
            help="Processors (verwerkers) under a processing agreement.",
        ),
    },
    required=True,
    help="Facts for the privacy statement (AVG art. 13).",
)

AUTOMATED_RESEARCH = "panelsite toegankelijkheidstoets (pa11y-ci en Nu HTML Checker)"


def _check_accessibility(record, path, ctx):
    """The statement may not claim more than the research behind it (the model statement's rules).

    Status A and B rest on research of every WCAG criterion (WCAG-EM) by an expert, at most three
    years old; B lists what fails; A has nothing that fails. Automatic checks alone support C.
    """
    status, issues = record.get("status"), record.get("known_issues") or []
    if status == "A" and issues:
        ctx.report(
            f"{path}.known_issues",
            "status A means nothing fails, but known issues are listed "
            "(expected status B with these issues, or no known_issues)",
        )
    if status == "B" and not issues:
        ctx.report(
            f"{path}.status",
            "status B means the site partly complies: list what fails (expected "
            "known_issues with criterion, problem, cause, effect, measure and fix_by)",
        )
    if status in ("A", "B"):
        if record.get("research_by") == AUTOMATED_RESEARCH:
            ctx.report(
                f"{path}.research_by",
                f"status {status} needs research of every WCAG criterion by an expert "
                "(WCAG-EM); automatic checks alone support status C (expected who did "
                "the research, like: Bureau X, WCAG-EM, 2026)",
            )
        checked = record.get("last_check")
        if checked and (dates.build_date() - checked).days > 3 * 365:
            ctx.report(
                f"{path}.last_check",
                f"research from {checked} is more than three years old and no longer "
                f"supports status {status} (expected new research, or status C)",
            )


ACCESSIBILITY = Mapping(
    {
        "status": Choice(
            ["A", "B", "C", "D"],
            required=True,
            help="Status of the accessibility statement (A: fully compliant, B: partly, C: "
            "first measures taken, D: not compliant).",
        ),
        "last_check": Date(required=True, help="Date of the last accessibility research."),
        "signed_by": Str(required=True, help="Job title of who approved the statement."),
        "signed_on": Date(required=True, help="Date the statement was approved."),
        "email": Email(required=True, help="Where residents report accessibility problems."),
        "research_by": Str(
            default=AUTOMATED_RESEARCH,
            help="Who performed the research; status A and B need an expert's WCAG-EM research.",
        ),
        "known_issues": ListOf(
            Mapping(
                {
                    "criterion": Str(
                        required=True,
                        pattern=r"\d\.\d{1,2}\.\d{1,2}",
                        expected="a WCAG criterion like 1.4.3",
                        help="WCAG success criterion.",
                    ),
                    "problem": Str(required=True, help="What does not meet the criterion."),
                    "cause": Str(required=True, help="Why."),
                    "effect": Str(required=True, help="What it means for residents."),
                    "measure": Str(required=True, help="What will be done."),
                    "fix_by": Date(required=True, help="When it will be fixed."),
                }
            ),
            help="For status B: the failures with cause, effect, measures and date.",
        ),
    },
    required=True,
    validator=_check_accessibility,
    help="Facts for the accessibility statement (toegankelijkheidsverklaring).",
)

RESULTS = Mapping(
    {
        "min_n": Int(min=5, max=100, default=10, help="Groups with fewer respondents are suppressed (never below 5)."),
        "indicative_n": Int(min=5, max=500, default=30, help="Groups with fewer respondents are marked indicative."),
    },
    help="Disclosure control for results.",
)

OPEN_DATA = Mapping(
    {
        "tooi": Str(pattern=r"gm\d{4}", expected="the municipality's code in TOOI, gm and four digits like gm0363",
                    help="The municipality's identifier in TOOI (identifier.overheid.nl): publisher of the open-data "
                         "catalogue, as data.overheid.nl asks."),
        "licence": Choice(["cc0", "cc-by-4.0"], default="cc0",
                          help="Licence of the open data: CC0 1.0 (public domain) or CC BY 4.0 (name the source)."),
    },
    help="The open-data catalogue (DCAT-AP-NL) of the results.",
)

COLLECTOR = Mapping(
    {
        "url": Url(help="Public URL of the response collector the forms post to."),
    },
    help="The response collector the site's forms post to.",
)

class OptionalMapping(Mapping):
    """A mapping that may be left out entirely (then it is None), though its keys are required when it is there."""

    def check(self, value, path, ctx):
        if value is None:
            return None
        return super().check(value, path, ctx)


MAIL = Mapping(
    {
        "from": Email(help="Sender (From) of the panel's e-mails; default contact.email. "
                           "The SMTP relay must accept it."),
        "from_name": Str(help="Name shown with the sender; default the panel name."),
        "reply_to": Email(help="Where replies go (Reply-To); default contact.email."),
        "confirmations_per_day": Int(
            min=1, max=20, default=3,
            help="At most this many sign-up mails, and as many leave mails, per address per day, however many "
                 "requests come in.",
        ),
        "dkim": OptionalMapping(
            {
                "selector": Str(required=True, pattern=r"[A-Za-z0-9][A-Za-z0-9._-]*",
                                expected="a DNS label like panel2026", help="The DKIM selector (the DNS record "
                                "<selector>._domainkey.<domain> holds the public key)."),
                "key_file": Str(required=True, min_length=1,
                                help="Path of the PEM private key on the machine that sends (absolute, or relative "
                                     "to the project folder); never the key itself."),
                "domain": Str(help="Signing domain (d=); default the domain of the sender address."),
            },
            help="Sign outgoing mail with DKIM (dkimpy); leave out to send unsigned.",
        ),
    },
    help="The panel's e-mails: sender, reply address, limits and DKIM signing (SMTP settings: environment).",
)

SCHEMA = Mapping(
    {
        "name": Str(required=True, min_length=1, max_length=100, help='Municipality name, e.g. "Lindenhaven".'),
        "panel_name": Str(required=True, min_length=1, max_length=100,
                          help='Name of the panel, e.g. "Lindenhaven Spreekt".'),
        "base_url": Url(required=True, help="Public URL of the site; may include a sub-path."),
        "tagline": Str(max_length=300, help="One sentence under the panel name on the home page."),
        "brand": BRAND,
        "contact": CONTACT,
        "privacy": PRIVACY,
        "accessibility": ACCESSIBILITY,
        "population": Population(required=True, help="Population figures per background variable, for weighting."),
        "themes": Themes(help="The municipality's own survey themes (id: Dutch label), beside the fixed ones."),
        "results": RESULTS,
        "collector": COLLECTOR,
        "mail": MAIL,
        "open_data": OPEN_DATA,
        "forms": FORMS,  # the forms' own options: see docs/forms.md
        "demo": Mapping(
            {
                "as_of": Date(help="The day the site's dates were written as of: every build moves all "
                                                  "its dates by whole weeks so that day falls in the build's week."),
            },
            help="A demonstration site whose dates move with the build date (config/dates.py).",
        ),
    },
    validator=_check_url_path,
    removed={"language": "the sites are Dutch, like their texts, the results' sentences and the statements"},
)


@dataclass(frozen=True, eq=False)  # eq=False: compared and hashed by identity, one object per file loaded
class Municipality:
    """One validated ``municipalities/<slug>.yaml``, read-only: every step reads what the file says.

    The sections are :class:`~panelsite.config.schema.Frozen` records as the schema above
    declares them (``m.results.min_n``, ``m.brand.logo.alt``); what is loaded for a site
    (pages, surveys, the member register …) lives beside it in
    :class:`panelsite.engine.family.SiteInputs`.
    """

    slug: str  # the file name: the site's folder and the collector's URL segment
    source: str  # the file as the user sees it (municipalities/<slug>.yaml), for messages and keys
    config_dir: Path  # the folder of the file: logo and favicon paths are relative to it
    name: str
    panel_name: str
    base_url: str  # absolute, ending in /
    tagline: str | None
    brand: Frozen
    palette: Frozen  # every theme colour, derived from brand and checked for contrast (config.brand)
    header_logo: Frozen  # file (relative to config_dir), width, height: the logo the header shows (config.logo)
    design_tokens: Frozen  # --basis-… custom properties: radius, spacing, focus ring, heading font (config.tokens)
    contact: Frozen
    privacy: Frozen
    accessibility: Frozen
    population: Frozen  # source, date and variables: {variable: {category: count}} in file order
    results: Frozen  # min_n and indicative_n: the disclosure rules, with the schema's defaults and bounds
    collector: Frozen  # url (None: the forms post nowhere unless --collector-url is given)
    mail: Frozen  # from, from_name, reply_to (None: contact.email, the panel name), confirmations_per_day, dkim
    open_data: Frozen  # tooi (the publisher's identifier, or None) and licence of the open-data catalogue
    forms: Frozen  # changes to the built-in forms (forms.definitions.FORMS)
    themes: Frozen | None  # the municipality's own survey themes, {id: Dutch label}, beside the fixed ones
    demo: Frozen  # as_of (None: not a demo, its dates stay as written)
    date_shift: _dt.timedelta = dates.NO_MOVE  # how far a demo's dates move in this build (config.dates)
    located: Located | None = None  # the file's lines, for problems found later (responses against population)

    def problem(self, path: str, message: str) -> Problem:
        """A problem at the line of ``path`` ("population.wijk.Noord") in this municipality's file."""
        if self.located is None:
            return Problem(self.source, message, key=path)
        return self.located.problem(path, message)

    @property
    def root(self) -> Path:
        """The project folder (municipalities/ lives in it)."""
        return self.config_dir.parent


_OPTIONS = [f.name for f in fields(Municipality)
            if f.name not in ("slug", "source", "config_dir", "palette", "header_logo", "date_shift", "located",
                              "design_tokens")]


def load_municipality(path: Path, root: Path,
                      cache=None) -> tuple[Municipality | None, list[Problem], list[Problem]]:
    """Validate one file; returns (municipality, problems, warnings).

    ``cache``: the build cache, for what is computed from the house style (config.kept).
    """
    display = relpath(path, root)
    try:
        located = load_yaml(path, display)
    except ConfigError as exc:
        return None, exc.problems, []
    shift = dates.move_for(_as_of(located), dates.build_date())
    with dates.moved_by(shift):  # a demo's dates (the accessibility statement's too) move with the build
        record, problems = validate(SCHEMA, located, base_dir=path.parent)
    slug = path.stem
    if not SLUG.fullmatch(slug):
        problems.append(
            Problem(display, f'file name "{slug}" is not a valid slug (expected lowercase letters, digits and hyphens)')
        )
    warnings: list[Problem] = []
    if problems:
        return None, problems, warnings
    brand, locator, basis = record.brand, located, tokens_mod.default_properties()
    if brand.tokens:
        design, token_problems = tokens_mod.read(path.parent / brand.tokens, relpath(path.parent / brand.tokens, root))
        if token_problems:
            return None, token_problems, warnings
        written = (located.data or {}).get("brand") or {}
        brand = tokens_mod.brand_with_tokens(brand, written, design)
        locator = tokens_mod.Locator(located, design, {k for k in design.origin if written.get(k) is None})
        basis.update(design.properties)
        missing = [key for key in ("primary", "secondary") if not brand.get(key)]
        if missing:
            return None, [located.problem(f"brand.{key}", f"is not in {design.file} (expected the token "
                                                          f"{tokens_mod.COLOURS[key]}, or brand.{key} here)")
                          for key in missing], warnings
    palette, contrast_problems, warnings = brand_mod.derive_palette(brand, locator, display, cache)
    header_logo, logo_problems = _header_logo(brand, palette, located, path.parent, cache)
    contrast_problems += [p for p in logo_problems if p.severity == "error"]
    warnings += [p for p in logo_problems if p.severity != "error"]
    if contrast_problems:
        return None, contrast_problems, warnings
    municipality = Municipality(
        slug=slug,
        source=display,
        config_dir=path.parent,
        palette=freeze(palette),
        header_logo=freeze(header_logo),
        date_shift=shift,
        located=located,
        design_tokens=freeze(basis),
        **{name: freeze(record[name]) for name in _OPTIONS if name != "brand"},
        brand=freeze(brand),
    )
    return municipality, [], warnings


def _as_of(located) -> _dt.date | None:
    """``demo.as_of`` as written, before the schema checks it (it decides how the other dates move)."""
    demo = located.data.get("demo") if isinstance(located.data, dict) else None
    value = demo.get("as_of") if isinstance(demo, dict) else None
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None  # the schema says what is wrong with it


def _header_logo(brand, palette, located, config_dir: Path, cache=None) -> tuple[Record, list[Problem]]:
    """The logo the header shows (``logo_on_dark`` on a header with white text), its size in the
    header, and a problem when it blends into the header's colour (config.logo)."""
    dark = palette.header_text == brand_mod.WHITE
    key = "brand.logo_on_dark" if dark and brand.get("logo_on_dark") else "brand.logo.file"
    file = brand.logo_on_dark if key == "brand.logo_on_dark" else brand.logo.file
    try:
        (width, height), found = _judged_logo(config_dir / file, palette.header_background, cache)
    except logo_mod.LogoError as exc:
        return Record(file=file, width=48, height=48), [located.problem(key, f"{file} {exc}")]
    problems = []
    if found:
        severity, said = found
        verdict = "it would vanish" if severity == "error" else "much of it blends in"
        fix = ("a light version of the logo as brand.logo_on_dark" if dark and key != "brand.logo_on_dark"
               else "a version of the logo that stands out on the header")
        problems.append(located.problem(key, f"the logo {file} has too little contrast with the header: {said}, "
                                             f"so {verdict} (expected {fix}, or another header colour as "
                                             "brand.header)", severity=severity))
    return Record(file=file, width=width, height=height), problems


def _judged_logo(file: Path, background: str, cache=None) -> tuple[tuple[int, int], tuple[str, str] | None]:
    """The logo's size in the header and its contrast_problem on ``background``; raises LogoError.
    Kept in the build cache by the file's bytes and the header colour (config.kept)."""
    def make() -> tuple:
        logo = logo_mod.read_logo(file)
        return logo.display_size(), logo_mod.contrast_problem(logo, background)

    try:
        data = file.read_bytes()
    except OSError:
        return make()  # read_logo says what is wrong with it
    return kept(cache, "logo", "\0".join((str(file), hashlib.sha256(data).hexdigest(), background)), make)


def load_municipalities(root: Path, only: list[str] | None = None, cache=None) -> dict[str, Municipality]:
    """Load every ``municipalities/*.yaml`` (or only the named slugs), all problems at once.

    Warnings (a colour adjusted for contrast) are reported with panelsite.errors.warn.
    ``cache``: the build cache (config.kept).
    """
    loaded = load_each(root, only, cache)
    problems = loaded.problems + [p for found in loaded.broken.values() for p in found]
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return loaded.valid


@dataclass
class Loaded:
    """Every selected municipality file, each valid or broken on its own (:func:`load_each`)."""

    valid: dict[str, Municipality]  # slug → municipality
    broken: dict[str, list[Problem]]  # slug → the problems of its file
    problems: list[Problem]  # not of one municipality: no files, an unknown --only


def load_each(root: Path, only: list[str] | None = None, cache=None) -> Loaded:
    """Load every ``municipalities/*.yaml`` (or only the named slugs), keeping a broken file's
    problems with its slug, so the others can still be built. ``cache``: the build cache (config.kept)."""
    folder = root / "municipalities"
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    problems: list[Problem] = []
    valid: dict[str, Municipality] = {}
    broken: dict[str, list[Problem]] = {}
    seen: dict[str, str] = {}
    for path in files:
        display = relpath(path, root)
        if path.stem in seen:
            if not only or path.stem in only:
                valid.pop(path.stem, None)
                broken.setdefault(path.stem, []).append(
                    Problem(display, f'duplicate slug "{path.stem}" (also defined in {seen[path.stem]})'))
            continue
        seen[path.stem] = display
        if only and path.stem not in only:
            continue
        record, found, warnings = load_municipality(path, root, cache)
        for w in warnings:
            warn(w)
        if found:
            broken[path.stem] = sorted(found, key=lambda p: (p.file, p.line or 0))
        elif record is not None:
            valid[record.slug] = record
    if only:
        for slug in only:
            if slug not in seen:
                problems.append(Problem(relpath(folder, root), f'no municipality "{slug}"{_hint(slug, seen)}'))
    if not files:
        problems.append(Problem(relpath(folder, root),
                                "no municipality files found (expected municipalities/<slug>.yaml)"))
    return Loaded(valid, broken, problems)


def _hint(slug: str, seen) -> str:
    from panelsite.errors import did_you_mean

    return did_you_mean(slug, seen)
