"""``panelsite new``: a commented starting point that builds straight away.

``new municipality <slug>`` writes ``municipalities/<slug>.yaml`` (every key
commented in Dutch and English), an accessible SVG logo and ``content/<slug>/``
with a draft page. ``new survey <slug> <survey-id>`` writes a commented
``survey.yaml`` and a ``factsheet.md`` skeleton that uses the survey's real
question ids, both drafts (``draft: true``): left out of the public site, shown by
``serve --drafts`` with a "Concept" banner, until the editor removes the line.
Existing files are never overwritten (exit 2).

The texts live in ``panelsite/authoring/scaffold_templates/`` with ``$name``
placeholders (:class:`string.Template`), so they read as the files they become.
"""

from __future__ import annotations

import datetime as _dt
import re
import sys
from pathlib import Path
from string import Template

from panelsite.errors import LOG, ConfigError, PanelsiteError, captured, did_you_mean

TEMPLATES = Path(__file__).parent / "scaffold_templates"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # as config.SLUG
SURVEY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # as surveys.definition.SLUG


class Refused(Exception):
    """Invalid names or files that already exist: nothing is written (exit 2)."""


def new(root: Path, what: str, names: list[str]) -> int:
    try:
        if what == "municipality":
            if len(names) != 1:
                raise Refused("usage: new municipality <slug>")
            files = municipality_files(root, names[0])
        elif what == "survey":
            if len(names) != 2:
                raise Refused("usage: new survey <slug> <survey-id>")
            files = survey_files(root, names[0], names[1])
        else:
            raise Refused(f'cannot create "{what}" (expected municipality or survey)')
        write_new(root, files)
        ignored = ignore_private(root) if what == "municipality" else None
    except Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PanelsiteError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return exc.exit_code
    for path in files:
        LOG.info(f"created {path.relative_to(root).as_posix()}")
    if ignored:
        LOG.info(ignored)
    LOG.info(_next_steps(what, names))
    return 0


def write_new(root: Path, files: dict[Path, str]) -> None:
    """Write every file, or none when any of them exists already."""
    existing = [p for p in files if p.exists()]
    if existing:
        shown = ", ".join(p.relative_to(root).as_posix() for p in existing)
        one = len(existing) == 1
        raise Refused(f"{shown} already exist{'s' if one else ''}; nothing was written "
                      f"(remove or rename {'it' if one else 'them'} first)")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _fill(template: str, **values) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


# --------------------------------------------------------------------------
# municipality


def ignored_folders(root: Path) -> set[str]:
    """Folder names git ignores anywhere in the project ("dist/" in .gitignore)."""
    try:
        lines = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    except OSError:
        return set()
    return {line.strip().strip("/") for line in lines if line.strip().endswith("/") and "/" not in line.strip()[:-1]
            and not line.startswith(("#", "!"))}


# A new project's .gitignore: what the build, the preview and the collector write, and the private
# folder with what respondents typed (panelsite/surveys/private.py).
GITIGNORE = """\
# Written by python build.py (the sites), serve (the preview) and collect (the database).
dist/
.panelsite-cache/
var/
*.sqlite3
*.sqlite3-wal
*.sqlite3-shm
.venv/
__pycache__/
"""
PRIVATE_LINES = """\
# Open answers and other texts of respondents (build.py export / import): never commit them.
private/
"""


def ignore_private(root: Path) -> str | None:
    """Make the project's .gitignore leave out the private folder; what was done, or None."""
    from panelsite.surveys.private import FOLDER

    path = root / ".gitignore"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        path.write_text(GITIGNORE + PRIVATE_LINES, encoding="utf-8")
        return "created .gitignore (the output folders, and private/ for respondents' texts)"
    if FOLDER in ignored_folders(root):
        return None
    path.write_text(text + ("" if text.endswith("\n") or not text else "\n") + PRIVATE_LINES, encoding="utf-8")
    return "added private/ to .gitignore (respondents' texts are kept there, never in git)"


def municipality_files(root: Path, slug: str) -> dict[Path, str]:
    if not SLUG.fullmatch(slug):
        raise Refused(f'"{slug}" is not a valid slug (expected lowercase letters, digits and single hyphens, '
                      'like nieuw-lindenhaven)')
    if slug.startswith("_") or slug == "default":
        raise Refused(f'"{slug}" is reserved (expected another slug)')
    if slug in ignored_folders(root):
        raise Refused(f'"{slug}" is reserved: .gitignore leaves out every folder of that name, so content/{slug}/ '
                      "would never be committed (expected another slug)")
    name = display_name(slug)
    today = _dt.date.today().isoformat()
    return {
        root / "municipalities" / f"{slug}.yaml": _fill("municipality.yaml", slug=slug, name=name, today=today),
        root / "municipalities" / "assets" / f"{slug}-logo.svg": logo_svg(f"Gemeente {name}", "#1f4e79", name),
        root / "content" / slug / "over-de-gemeente.md": _fill("page.md", name=name),
    }


def display_name(slug: str) -> str:
    """``bergen-op-zoom`` → ``Bergen op Zoom``: a first guess the user corrects in the YAML."""
    small = {"aan", "op", "de", "den", "der", "en", "in", "van", "bij", "ter", "ten"}
    words = slug.split("-")
    return " ".join(w if (i and w in small) else w.capitalize() for i, w in enumerate(words))


def logo_svg(alt: str, primary: str, name: str) -> str:
    """A placeholder logo: the initials on the primary colour, with a text alternative."""
    from xml.sax.saxutils import escape

    initials = "".join(w[0] for w in name.split() if w[:1].isupper())[:2] or name[:1].upper()
    return _fill("logo.svg", alt=escape(alt, {'"': "&quot;"}), primary=primary, initials=escape(initials))


# --------------------------------------------------------------------------
# survey


def survey_files(root: Path, slug: str, survey_id: str) -> dict[Path, str]:
    from panelsite.config.municipality import load_municipalities
    from panelsite.surveys.definition import THEMES

    if not SURVEY_ID.fullmatch(survey_id):
        raise Refused(f'"{survey_id}" is not a valid survey id (expected lowercase letters, digits and hyphens, '
                      "like buurt-2026)")
    if not (root / "municipalities" / f"{slug}.yaml").is_file():
        known = sorted(p.stem for p in (root / "municipalities").glob("*.yaml"))
        raise Refused(f'no municipality "{slug}"{did_you_mean(slug, known)} '
                      f"(create it first: python build.py new municipality {slug})")
    try:
        with captured():  # the build reports the configuration's warnings
            municipality = load_municipalities(root, [slug])[slug]
    except ConfigError as exc:
        raise ConfigError([*exc.problems, f"fix municipalities/{slug}.yaml before adding a survey"]) from None
    variables = list(municipality.population.variables)
    folder = root / "content" / slug / "surveys" / survey_id
    today = _dt.date.today()
    values = dict(
        slug=slug, name=municipality.name, survey_id=survey_id,
        title=f"Onderzoek {survey_id.replace('-', ' ')}",
        variables=", ".join(variables), themes=", ".join(THEMES),
        weighting=", ".join(variables[:3]), breakdowns=", ".join(variables[:1]),
        # Ahead of today: a new survey is under embargo until its author sets real dates, so the
        # skeleton's placeholder texts never reach the public site (preview it with --drafts).
        start=(today + _dt.timedelta(days=14)).isoformat(), end=(today + _dt.timedelta(days=28)).isoformat(),
        publish_on=(today + _dt.timedelta(days=56)).isoformat(), today=today.isoformat(),
    )
    return {
        folder / "survey.yaml": _fill("survey.yaml", **values),
        folder / "factsheet.md": _fill("factsheet.md", **values),
    }


def _next_steps(what: str, names: list[str]) -> str:
    if what == "municipality":
        slug = names[0]
        return (f"\nNext: edit municipalities/{slug}.yaml (the comments explain every key), replace the logo, "
                f"then preview with:\n  python build.py serve --only {slug}")
    slug, survey_id = names
    return (f"\nNext: edit the questions, add content/{slug}/surveys/{survey_id}/responses.csv when the answers "
            f"are in, then preview with:\n  python build.py serve --only {slug} --drafts\n"
            "Both files are drafts (draft: true): the public site leaves them out until you remove that line, "
            "and refuses the factsheet while it holds the example texts.")
