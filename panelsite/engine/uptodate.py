"""Whether a built site is up to date: the fingerprint of everything a site is built from.

A site's output depends only on files under the project (``municipalities/``,
``content/_shared``, ``content/<slug>``, ``themes/default``, ``themes/<slug>``), on panelsite's
code, on the installed libraries (Jinja, Markdown, WeasyPrint, Pagefind …) and on the build's
options (the build date among them: an embargo lifts on a day). Their hash is the site's
*fingerprint*; after a site is committed it is recorded beside the manifest with the site's
counts and the warnings its build reported. When the next build finds the same fingerprint
and every file of the site still in place, the site is what the build would make again: the
build reports the recorded warnings and skips it, without reading responses.csv or importing
pandas, the statistics or WeasyPrint (so ``build.py --only <slug>`` with nothing changed costs
a few hundredths of a second).

Light on purpose: ``engine/commands.py`` asks it before importing the pipeline.
"""

from __future__ import annotations

import json
import os
import re
import site
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from panelsite.engine.hashing import code_digest, digest, tree_digest
from panelsite.engine.options import Options
from panelsite.errors import LOG, Problem

MANIFEST_DIR = ".panelsite"


@dataclass
class SiteResult:
    slug: str
    pages: int
    files: int
    rendered: int
    seconds: float
    warnings: list[Problem] = field(default_factory=list)  # reported while it was loaded and rendered


def selected_slugs(options: Options) -> list[str]:
    """The municipalities a build covers, from the file names alone (as load_municipalities reads them)."""
    folder = options.root / "municipalities"
    stems = sorted({p.stem for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")]})
    return [s for s in stems if not options.only or s in options.only]


def fingerprint(options: Options, slug: str, several: bool) -> str:
    """The hash of every input of one site's build."""
    root = options.root
    parts = [
        code_digest(),
        tree_digest(root / "municipalities"),  # every municipality: slugs are checked against each other
        tree_digest(root / "content" / "_shared"),
        tree_digest(root / "content" / slug),
        tree_digest(root / "themes" / "default"),
        tree_digest(root / "themes" / slug),
        _named_files(root, slug),
        libraries(),
        sys.version,
        several,
    ]
    for name, value in sorted(options.__dict__.items()):
        # how it runs, not what it makes; nor where: a project checked out elsewhere (a CI runner
        # restoring dist/ from its cache) makes the same site; the build cache only saves work
        if name not in ("jobs", "progress", "only", "root", "out", "cache_dir"):
            parts.append(f"{name}={value}")
    return digest(*parts)


# A file a municipality file names (a logo, a favicon, a design-token file) may lie outside the
# folders above ("../huisstijl/logo.svg"): read by its name in the YAML, without parsing it.
NAMED_FILE = re.compile(r"""["']?([^\s"'#:,\[\]{}]+\.(?:svg|png|jpe?g|webp|gif|ico|json|woff2?))\b""", re.I)


def _named_files(root: Path, slug: str) -> str:
    config_dir = root / "municipalities"
    parts = []
    for config in (config_dir / f"{slug}.yaml", config_dir / f"{slug}.yml"):
        try:
            text = config.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for name in sorted(set(NAMED_FILE.findall(text))):
            path = config_dir / name
            try:
                parts.append(f"{name}\0{digest(path.read_bytes())}")
            except (OSError, ValueError):
                parts.append(f"{name}\0missing")
    return "\n".join(parts)


def libraries() -> str:
    """The installed distributions, versions included (their ``*.dist-info`` folder names)."""
    names = []
    for folder in {*site.getsitepackages(), site.getusersitepackages(), *sys.path}:
        try:
            names += [n for n in os.listdir(folder) if n.endswith((".dist-info", ".egg-info", ".egg-link"))]
        except OSError:
            continue
    return "\n".join(sorted(set(names)))


def _record_path(out: Path, slug: str) -> Path:
    return out / MANIFEST_DIR / "inputs" / f"{slug}.json"


def record(out: Path, result: SiteResult, key: str | None) -> None:
    """After a commit: the fingerprint the site was built from (None: unknown, so never skipped)."""
    path = _record_path(out, result.slug)
    if key is None:
        path.unlink(missing_ok=True)
        return
    data = {"fingerprint": key, "pages": result.pages, "files": result.files,
            "warnings": [asdict(w) for w in result.warnings]}
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(data, sort_keys=True))


def unchanged(options: Options, slug: str, key: str) -> SiteResult | None:
    """The recorded result of the site when it was built from ``key`` and is intact; else None."""
    try:
        data = json.loads(_record_path(options.out, slug).read_text())
        if data.get("fingerprint") != key:
            return None
        manifest = json.loads((options.out / MANIFEST_DIR / f"{slug}.json").read_text())
        warnings = [Problem(**w) for w in data["warnings"]]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    target = options.out / slug
    # A file removed from the built site by hand (or a half-copied dist/) means: build it again.
    if not all(os.path.isfile(target / path) for path in [*manifest, "robots.txt"]):
        return None
    return SiteResult(slug, data["pages"], data["files"], 0, 0.0, warnings)


def fingerprints(options: Options) -> dict[str, str]:
    """Slug → :func:`fingerprint` of every selected site, taken before anything is loaded: a file
    edited while the build runs then leaves a record that does not match, and is built again."""
    slugs = selected_slugs(options)
    return {slug: fingerprint(options, slug, len(slugs) > 1) for slug in slugs}


def unchanged_build(options: Options, keys: dict[str, str] | None = None) -> list[SiteResult] | None:
    """Every selected site's recorded result when none of them needs building; else None.
    ``keys``: their :func:`fingerprints`, when already taken."""
    keys = fingerprints(options) if keys is None else keys
    results = []
    for slug, key in keys.items():
        result = unchanged(options, slug, key)
        if result is None:
            return None
        results.append(result)
    return results or None


def progress(result: SiteResult, options: Options, done: int, total: int) -> None:
    if not options.progress:
        return
    if sys.stderr.isatty():
        width = 24
        filled = width * done // total
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {result.slug:<20}",
              end="" if done < total else "\n", file=sys.stderr, flush=True)
    else:
        LOG.info(f"  {result.slug}: {result.pages} pages, {result.files} files, "
                 f"{result.rendered} rendered, {result.seconds:.2f} s")


def summary(results: list[SiteResult], seconds: float) -> None:
    pages = sum(r.pages for r in results)
    LOG.info(f"Built {len(results)} site{'s' if len(results) != 1 else ''}, {pages} pages "
             f"({sum(r.rendered for r in results)} files rendered) in {seconds:.1f} s")
