"""The build, top to bottom: load and validate everything, compute, render, write.

``build`` validates every municipality first (so one run reports every
problem and nothing is written when any input is invalid), then builds each
site — in a process pool when there are several and more than one core —
and prints a one-line summary.

The pages beyond the content pages come from the page families in :data:`FAMILIES`
(the contract: panelsite.engine.family.PageFamily), called in that order.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from panelsite.a11y import report_page
from panelsite.config import dates
from panelsite.config.municipality import Loaded, Municipality, load_each, load_municipalities
from panelsite.engine import cache, content, failures, navigation, pdf, render
from panelsite.engine.family import PageFamily, SiteInputs
from panelsite.engine.hashing import digest
from panelsite.engine.options import Options, site_base_url
from panelsite.engine.site import NavItem, Output, Site
from panelsite.engine.uptodate import (
    MANIFEST_DIR,
    SiteResult,
    fingerprint,
    fingerprints,
    progress,
    record,
    summary,
    unchanged,
)
from panelsite.engine.writer import (
    StagedSite,
    broken_links,
    internal_links,
    prune_blobs,
    remove_abandoned,
    robots,
    sitemap,
)
from panelsite.errors import (
    BuildError,
    ConfigError,
    PanelsiteError,
    Problem,
    SitesSkipped,
    captured,
    did_you_mean,
    relpath,
    warn,
)
from panelsite.factsheets import family as factsheets
from panelsite.forms import family as forms
from panelsite.panel import family as panel
from panelsite.results import catalogue, feeds
from panelsite.results import family as results
from panelsite.search import family as search
from panelsite.search import index as search_index

# The page families, in the order they load, prepare and add their outputs: the results
# first, since the others read its surveys (factsheets, questionnaires, response tables).
FAMILIES: list[PageFamily] = [results, factsheets, forms, panel, feeds, catalogue, search, report_page]


# --------------------------------------------------------------------------
# load


def load_all(options: Options) -> dict[str, SiteInputs]:
    """Every input of every selected municipality, validated; raises with all problems."""
    municipalities = load_municipalities(options.root, options.only, cache.BuildCache(options.cache_folder))
    problems: list[Problem] = []
    loaded: dict[str, SiteInputs] = {}
    for slug, m in municipalities.items():
        try:
            loaded[slug] = load_site(options, m)
        except PanelsiteError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return loaded


def load_site(options: Options, m: Municipality) -> SiteInputs:
    """The content pages and every family's inputs of one municipality; raises with all problems.

    The content pages and the surveys are independent: both are read, so one run reports the
    problems of both. The other families read the surveys, so they wait for them.
    """
    inputs = SiteInputs(m)
    problems: list[Problem] = []
    with dates.moved_by(m.date_shift):  # a demo's dates move with the build date (config.dates)
        try:
            inputs.pages = content.load_pages(options.root, m.slug, options.drafts)
        except ConfigError as exc:
            problems.extend(exc.problems)
        for problem in render.theme_warnings(options.root, m.slug, {p.meta.template for p in inputs.pages}):
            warn(problem)
        try:
            for family in FAMILIES:
                family.load(options, inputs)
        except PanelsiteError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return inputs


# --------------------------------------------------------------------------
# plan


def plan_site(options: Options, inputs: SiteInputs, base_url: str) -> Site:
    m = inputs.municipality
    render.BYTECODE.use_folder(options.cache_folder / "templates")
    site = Site(options.root, inputs, base_url, options.collector_url, options.today, options.drafts)
    site.pdf_cache = options.cache_folder / "pdf"
    site.navigation = main_navigation(inputs.pages)
    site.add_assets()
    for family in FAMILIES:  # all of them first: a page's key covers what it links to
        family.prepare(site)
    for family in FAMILIES:
        family.add_outputs(site)
    content_env = render.content_environment(m)
    for page in inputs.pages:
        add_content_page(site, page, content_env)
    site.add_page("404.html", "404.html", title="Pagina niet gevonden",
                  sitemap=False, noindex=True, context={"absolute": True})
    return site


def main_navigation(pages) -> list[NavItem]:
    """The menu: content pages with a ``nav_order`` plus what the page families add.

    The collector draws the same menu from the pages' front matter (engine/navigation.py).
    """
    return navigation.page_items(pages) + [item for family in FAMILIES for item in family.navigation()]


def add_content_page(site: Site, page, content_env) -> None:
    def context() -> dict:
        url, _ = render.url_functions(page.path)
        content.render_markdown(page, content_env,
                                {"site": site.municipality, "url": url, **site.prepared.template_context()})
        from markupsafe import Markup

        return {"body": Markup(page.html), "toc": page.toc if page.meta.toc else [],
                "page": {"form": page.meta.form, "updated": page.meta.updated}}

    template = page.meta.template
    try:
        site.env.get_template(template)
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(site.template_problem(exc, template)) from None
    except jinja2.TemplateNotFound:
        names = [t for t in site.env.list_templates(extensions=["html"]) if ":" not in t and "/" not in t]
        raise ConfigError(Problem(page.display, f'template "{template}" not found in themes/{site.slug}/templates or '
                                                f"themes/default/templates{did_you_mean(template, names)} "
                                                "(expected a page template such as page.html)",
                                  line=content.front_matter_line(page, "template"), key="template")) from None
    site.add_page(page.path, template, page.digest, digest(*site.prepared.page_keys.get(page.path, ())),
                  title=page.title, description=page.meta.description, context=context,
                  source=page.display, source_page=page)


# --------------------------------------------------------------------------
# render and write


@dataclass
class SiteFiles:
    """A site's files as one build made them, kept in the build cache by the site's fingerprint:
    path → (output key, bytes, manifest entry), and per file the warnings its rendering reported.
    Files the same in many sites (``shared``: plotly.js, the theme's scripts) are not kept: made
    again."""

    files: dict[str, tuple[str, bytes, dict]] = field(default_factory=dict)
    warnings: dict[str, list[Problem]] = field(default_factory=dict)


@dataclass
class Staged:
    result: SiteResult
    stage: StagedSite
    manifest: dict
    manifest_path: Path
    fingerprint: str | None = None  # of its inputs (engine/uptodate.py), recorded when committed


def stage_site(options: Options, inputs: SiteInputs, base_url: str, fingerprint: str | None = None) -> Staged:
    """Render one site into a temporary folder; unchanged outputs are reused.

    ``fingerprint``: the hash of every input of the site (engine/uptodate.py). A site built from
    exactly these inputs before, into any output folder, is in the build cache: its files are
    taken from there instead of rendered (a clean CI build of a municipality nobody changed), and
    the warnings its rendering reported are reported again.
    """
    started = time.perf_counter()
    m = inputs.municipality
    site = plan_site(options, inputs, base_url)
    target = options.out / m.slug
    manifest_path = options.out / MANIFEST_DIR / f"{m.slug}.json"
    previous = _read_manifest(manifest_path)
    staged = StagedSite(target, options.out / MANIFEST_DIR / "blobs")
    manifest: dict[str, dict] = {}
    rendered = 0
    store = cache.BuildCache(options.cache_folder)
    slot = site_slot(options, m.slug)
    # The site as the last build into any output folder made it: all of it when no input changed
    # since (a clean CI build of a municipality nobody changed), else every file whose own key is
    # the same (a shared page edited: the results pages stay as they were). Into a filled output
    # folder the files already there serve: the cached site is read only when it is this very site
    # (a file of the folder was removed), not at every edit in serve.
    earlier = _cached_site(store, slot, None if not previous else fingerprint) if fingerprint else None
    made: SiteFiles = SiteFiles()
    reused_from_folder = remade = False
    try:
        seen: dict[str, Output] = {}
        with captured() as said:  # what rendering warns about, kept with the site's files
            for output in site.outputs:
                if output.path in seen:
                    raise _collision(seen[output.path], output)
                seen[output.path] = output
                old = previous.get(output.path)
                if old and old.get("key") == output.key and staged.reuse(output.path):
                    manifest[output.path] = {**old, "source": output.source} if output.source else old
                    reused_from_folder = True
                    continue
                kept = earlier.files.get(output.path) if earlier is not None and not output.shared else None
                if kept is not None and kept[0] == output.key:
                    data, manifest[output.path] = kept[1], dict(kept[2])
                    staged.write(output.path, data, output.shared)
                    warned = earlier.warnings.get(output.path, [])
                    said.extend(warned)  # as if rendered again: the same warnings
                    made.files[output.path], made.warnings[output.path] = kept, warned
                    continue
                with pdf.keys_used() as pdf_keys, captured() as warned:
                    data = _render(site, output)
                said.extend(warned)
                rendered += 1
                staged.write(output.path, data, output.shared)
                links = internal_links(data.decode("utf-8", "replace")) if output.path.endswith(".html") else []
                manifest[output.path] = {"key": output.key, "links": links}
                if output.source:  # the file it is made from, for the preview's readability notes
                    manifest[output.path]["source"] = output.source
                if pdf_keys:  # the cached PDFs it used: kept while a later build reuses the output
                    manifest[output.path]["pdfs"] = sorted(pdf_keys)
                if fingerprint and not output.shared:
                    remade = True
                    made.files[output.path] = (output.key, data, dict(manifest[output.path]))
                    if warned:
                        made.warnings[output.path] = list(warned)
        for problem in dict.fromkeys(said):
            warn(problem)
        if remade and not reused_from_folder:
            store.store_slot("sites", slot, fingerprint, made)  # every file of the site, as this build made it
        # The search index of what was just staged: only what this build publishes is found.
        search_index.add_index(staged.stage, manifest, previous, staged.reuse, staged.content_hash, store, slot)
        pages = [o.page_path for o in site.outputs if o.page_path is not None]
        # A preview (--drafts) shows results under embargo: search engines get nothing to index.
        index_files = {"robots.txt": robots(base_url, index=not options.drafts)}
        if not options.drafts:
            index_files["sitemap.xml"] = sitemap(base_url, pages)
        for name, data in index_files.items():
            staged.write(name, data)
        files = set(manifest) | set(index_files)
        check_links(site, manifest, files)
    except BaseException:
        staged.abort()
        raise
    result = SiteResult(m.slug, len(pages), len(files), rendered, time.perf_counter() - started)
    return Staged(result, staged, manifest, manifest_path)


def _cached_site(store: cache.BuildCache, slot: str, fingerprint: str | None) -> SiteFiles | None:
    """The site last kept in ``slot``: the one made from inputs with ``fingerprint``, or (None) any."""
    if fingerprint is None:
        found = store.load_slot_any("sites", slot)
        site = found[1] if found is not None else None
    else:
        site = store.load_slot("sites", slot, fingerprint)
    # An entry an older panelsite wrote (its warnings a list) is of no use: the site is made again.
    return site if isinstance(site, SiteFiles) and isinstance(site.warnings, dict) else None


def site_slot(options: Options, slug: str) -> str:
    """The build cache's one place for a municipality's whole site (and its search index) per kind of
    build: the options that change what is made, the build date aside (dist/ and serve's preview
    each keep theirs; a new day replaces yesterday's)."""
    kept = sorted((k, str(v)) for k, v in options.__dict__.items()
                  if k not in ("jobs", "progress", "only", "root", "out", "cache_dir", "today"))
    return digest("site", slug, *kept)


def _render(site, output: Output) -> bytes:
    """The bytes of ``output``. Outputs that render a template outside Site.render_template (the PDF
    factsheet, the factsheet e-mails, the paper forms) get their template errors at the template's
    line here; an exception without a template frame stays an internal error (_stage_one)."""
    try:
        return output.render()
    except PanelsiteError:
        raise
    except Exception as exc:  # noqa: BLE001 - see engine/failures.py
        if not failures.template_frames(exc.__traceback__, site.root):
            raise
        raise BuildError(site.failure(exc, output.page_path or output.path)) from None


def _collision(first: Output, second: Output) -> PanelsiteError:
    """Two outputs for one file: a page of the editor's own on an address the site makes itself
    (content/<slug>/resultaten.md) is bad input, at its line; two of the build's own, a bug."""
    page = second.source_page or first.source_page
    other = first if page is second.source_page else second
    if page is not None:
        made_by = other.source or (f"the {other.template} page the site makes itself" if other.template
                                   else "a file the site makes itself")
        return ConfigError(Problem(page.display, f'the address {page.path or "/"} is taken by {made_by} (expected '
                                                 "another file name for this page)",
                                   line=content.front_matter_line(page, "title") or 1))
    return BuildError(Problem(second.source or second.path, f"two outputs write {second.path} (also "
                                                            f"{first.source or 'made by the build'})"))


def commit(staged: Staged) -> None:
    staged.stage.commit()
    staged.manifest_path.parent.mkdir(parents=True, exist_ok=True)
    staged.manifest_path.write_text(json.dumps(staged.manifest, sort_keys=True))
    record(staged.manifest_path.parent.parent, staged.result, staged.fingerprint)


def check_links(site: Site, manifest: dict, files: set[str]) -> None:
    links = {path: entry["links"] for path, entry in manifest.items() if entry.get("links")}
    # The 404 page links path-absolutely; every other page relatively.
    broken = broken_links(links, files, site.base_path)
    if not broken:
        return
    by_file = {o.path: o for o in site.outputs}
    problems = []
    made_by_template = False
    for source, target in broken:
        output = by_file.get(source)
        page = output.source_page if output else None
        written = _source_text(site.root, output.source) if page is None and output else None
        if page is not None:
            shown = _authored_form(page.body, target, source)
            problems.append(Problem(page.display, f'broken internal link "{shown}" (no page at that path)',
                                    line=content.line_of(page, shown)))
        elif written is not None:  # a factsheet: its Markdown file, not the page made from it
            shown = _authored_form(written, target, source)
            line = next((n for n, text in enumerate(written.splitlines(), 1) if shown in text), None)
            problems.append(Problem(output.source, f'broken internal link "{shown}" (no page at that path)', line=line))
        else:
            problems.append(Problem(f"{site.slug}/{source}", f'broken internal link "{target}" '
                                    f'(made by {(output.source if output else None) or "a template"})'))
            made_by_template = True
    # A link an editor wrote is bad input (exit 2); one a template makes is a build error (exit 1).
    raise BuildError(problems) if made_by_template else ConfigError(problems)


def _authored_form(text: str, target: str, source_file: str) -> str:
    """The link as the author wrote it in Markdown ("/foo/"), found back from the relative one."""
    from panelsite.engine.writer import resolve

    resolved = resolve(source_file, target, "/")
    guess = "/" + resolved.removesuffix("index.html")
    for candidate in (guess, guess.rstrip("/"), target):
        if candidate and candidate in text:
            return candidate
    return guess


def _source_text(root: Path, source: str | None) -> str | None:
    """The text of the Markdown file an output was made from, if it is one."""
    if not source or not source.endswith(".md"):
        return None
    try:
        return (root / source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def pdfs_in_manifests(folder: Path) -> set[str]:
    """The cached PDFs the sites use: named by any municipality's manifest, built now or earlier."""
    return {key for path in folder.glob("*.json") for entry in _read_manifest(path).values()
            for key in entry.get("pdfs", ())}


def _read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _preload() -> None:
    """Import the heavy modules once, before the pool forks its workers.

    Forked workers inherit them, so each worker starts at once instead of
    importing WeasyPrint (a second) and the statistics (pandas, numpy: the page
    families import them only where they compute, so that a page edit does
    without) itself. The imported objects then move out of the
    garbage collector's sight (``gc.freeze``): they live as long as the process,
    and without it every full collection in every worker walks them again (7% of
    a build's CPU).
    """
    import gc

    pdf.load_weasyprint()  # imported lazily by panelsite.engine.pdf
    import pandas  # noqa: F401 - and numpy: the results' statistics, imported by the families where they compute

    gc.collect()
    gc.freeze()


# Files every site is made from: a problem in one of them stops every site (SHARED_FILES).
SHARED_FILES = ("content/_shared/", "themes/default/")


@dataclass
class Outcome:
    """What became of one municipality in a build: a staged site, or the error that stopped it."""

    slug: str
    staged: Staged | None = None
    error: PanelsiteError | None = None
    warnings: list[Problem] = field(default_factory=list)


def _stage_one(options: Options, slug: str, base_url: str, key: str | None) -> Outcome:
    """Load, compute and render one municipality (runs in a worker process); never raises.

    Its warnings travel back with the outcome, so the main process reports each once. Any
    exception, panelsite's own or not, comes back as problems (engine/failures.py): a worker
    hands the main process an outcome, never a traceback.
    """
    with captured() as found:
        try:
            loaded = load_all(Options(**{**options.__dict__, "only": [slug]}))
            staged = stage_site(options, loaded[slug], base_url, key)
        except PanelsiteError as exc:
            return Outcome(slug, error=exc, warnings=found)
        except RecursionError as exc:
            return Outcome(slug, error=BuildError(failures.problem_of(exc, options.root, slug)), warnings=found)
        except OSError as exc:
            return Outcome(slug, error=BuildError(_os_problem(exc, options)), warnings=found)
        except Exception as exc:  # noqa: BLE001 - a bug must not cost the other sites theirs
            return Outcome(slug, error=BuildError(failures.internal_problem(exc, f"while building {slug}")),
                           warnings=found)
    staged.result.warnings = found
    staged.fingerprint = key
    return Outcome(slug, staged=staged, warnings=found)


def _os_problem(exc: OSError, options: Options) -> Problem:
    """A file that cannot be written or read (a full disk, a folder without permission)."""
    where = relpath(exc.filename, options.root) if exc.filename else relpath(options.out, options.root)
    return Problem(where, f"cannot write or read this: {exc.strerror or exc} (expected a writable output folder "
                          "with free space; see --out)")


Task = tuple[str, str, "str | None"]  # (slug, base URL, fingerprint of its inputs or None)


def _stage_all(options: Options, tasks: list[Task], done: int = 0, total: int | None = None) -> list[Outcome]:
    """Every task's outcome, in a process pool when there are several sites and cores.

    ``done`` sites of ``total`` were found up to date before (for the progress line)."""
    total = total or len(tasks)
    jobs = options.jobs or os.cpu_count() or 1
    outcomes: list[Outcome] = []
    if jobs > 1 and len(tasks) > 1:
        _preload()
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            futures = [(task[0], pool.submit(_stage_one, options, *task)) for task in tasks]
            try:
                for slug, future in futures:
                    try:
                        outcomes.append(future.result())
                    except BrokenProcessPool:
                        outcomes.append(Outcome(slug, error=BuildError(Problem(
                            slug, "the process building this site stopped unexpectedly (out of memory, or "
                                  "killed; expected it to finish: build this site alone with --only and --jobs 1 "
                                  "to see why)"))))
                    if outcomes[-1].staged:
                        progress(outcomes[-1].staged.result, options, done + len(outcomes), total)
            except BaseException:  # Ctrl+C: no finished site stays staged
                for _, future in futures:
                    future.cancel()
                _abort(outcomes + [f.result() for _, f in futures if f.done() and not f.cancelled()
                                   and f.exception() is None])
                raise
    else:
        for task in tasks:
            try:
                outcomes.append(_stage_one(options, *task))
            except BaseException:
                _abort(outcomes)
                raise
            if outcomes[-1].staged:
                progress(outcomes[-1].staged.result, options, done + len(outcomes), total)
    return outcomes


def _abort(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.staged is not None:
            outcome.staged.stage.abort()


def _tasks(options: Options, loaded: Loaded, keys: dict[str, str], *,
           reuse: bool) -> tuple[list[Task], list[SiteResult]]:
    """The sites to stage, and (with ``reuse``) those built from exactly these inputs and still
    intact, which are skipped (engine/uptodate.py)."""
    several = len(loaded.valid) + len(loaded.broken) > 1
    tasks: list[Task] = []
    up_to_date: list[SiteResult] = []
    for slug, m in loaded.valid.items():
        key = keys.get(slug) or fingerprint(options, slug, several)
        if reuse and (same := unchanged(options, slug, key)) is not None:
            up_to_date.append(same)
            progress(same, options, len(up_to_date), len(loaded.valid))
        else:
            tasks.append((slug, site_base_url(options, m, several), key))
    return tasks, up_to_date


def _verdict(loaded: Loaded, outcomes: list[Outcome], strict: bool,
             up_to_date: int = 0) -> tuple[list[Problem], list[str], bool]:
    """(every problem, in report order; the municipalities skipped; whether no site may be written).

    No site is written when a problem is not one municipality's (an unknown --only), is in a
    file every site is made from (SHARED_FILES), with --strict, or when no site succeeded.
    """
    failed: dict[str, list[Problem]] = {slug: list(found) for slug, found in loaded.broken.items()}
    for outcome in outcomes:
        if outcome.error is not None:
            failed[outcome.slug] = list(outcome.error.problems)
    # Shared pages fail the same way for every municipality: report each problem once.
    problems = _once([*loaded.problems, *(p for slug in sorted(failed) for p in failed[slug])])
    if not problems:
        return [], [], False
    shared = any(isinstance(p, Problem) and p.file.startswith(SHARED_FILES) for p in problems)
    built = up_to_date > 0 or any(o.staged is not None for o in outcomes)  # a site up to date stands built
    return problems, sorted(failed), bool(loaded.problems or shared or strict or not built)


RENDERING = re.compile(r"while rendering ([a-z0-9-]+)/([^\s:;)]*)")


def _once(problems: list[Problem]) -> list[Problem]:
    """Each problem once: a shared file's, found by every municipality, and a template's that
    fails on the same page of several sites ("while rendering a/contact/" and "b/contact/")."""
    merged: dict[object, Problem] = {}
    sites: dict[object, list[str]] = {}
    for problem in problems:
        match = RENDERING.search(problem.message) if isinstance(problem, Problem) else None
        key = problem if match is None else dataclasses.replace(problem, message=RENDERING.sub(
            lambda m: f"while rendering {{}}/{m.group(2)}", problem.message, count=1))
        merged.setdefault(key, problem)
        if match:
            sites.setdefault(key, []).append(match.group(1))
    out = []
    for key, problem in merged.items():
        slugs = list(dict.fromkeys(sites.get(key, [])))
        if len(slugs) > 1:
            more = len(slugs) - 1
            problem = dataclasses.replace(problem, message=RENDERING.sub(
                lambda m: f"while rendering {m.group(0)[len('while rendering '):]} (and the same page of "
                          f"{more} other site{'s' if more != 1 else ''})", problem.message, count=1))
        out.append(problem)
    return out


def _error_type(loaded: Loaded, outcomes: list[Outcome]) -> type[PanelsiteError]:
    errors = [o.error for o in outcomes if o.error is not None]
    if loaded.problems or loaded.broken:
        errors.append(ConfigError([]))
    return type(max(errors, key=lambda e: e.exit_code))


def build(options: Options, keys: dict[str, str] | None = None) -> list[SiteResult]:
    """Validate every configuration, build each site into a stage, and write the valid ones.

    A worker loads its own municipality's content and survey data, so the expensive loading
    runs in parallel. Every problem of every site is reported. The sites without problems are
    written and the others skipped (their previous sites stay as they were: SitesSkipped, exit
    1); a problem in a file every site is made from (SHARED_FILES), or ``--strict``, writes
    no site at all. ``keys``: the sites' fingerprints (engine/uptodate.py), when already taken.
    """
    started = time.perf_counter()
    if keys is None:
        keys = fingerprints(options)  # before anything is read (see uptodate.fingerprints)
    with captured() as early:
        loaded = load_each(options.root, options.only, cache.BuildCache(options.cache_folder))
        _warn_unknown_themes(options, loaded)
    for problem in early:
        warn(problem)
    check_out(options)
    remove_abandoned(options.out)
    outcomes: list[Outcome] = []
    committed: set[str] = set()
    tasks, up_to_date = _tasks(options, loaded, keys, reuse=True) if not loaded.problems else ([], [])
    try:
        outcomes = _stage_all(options, tasks, len(up_to_date), len(loaded.valid))
        problems, skipped, none = _verdict(loaded, outcomes, options.strict, len(up_to_date))
        if none:
            raise _error_type(loaded, outcomes)(problems)
        for outcome in outcomes:
            if outcome.staged is not None:
                try:
                    commit(outcome.staged)
                except OSError as exc:  # a folder in dist/ that cannot be replaced (permissions, a full disk)
                    raise BuildError(_os_problem(exc, options)) from None
                committed.add(outcome.slug)
    finally:
        _abort([o for o in outcomes if o.slug not in committed])
        remove_abandoned(options.out)  # the stages of a worker that died
    prune_blobs(options.out / MANIFEST_DIR / "blobs")
    cache.prune(options.cache_folder, pdfs_in_manifests(options.out / MANIFEST_DIR))
    # where PDFs were cached before the build cache: nothing reads it any more
    shutil.rmtree(options.out / MANIFEST_DIR / "pdf-cache", ignore_errors=True)
    built = {o.slug: o.staged.result for o in outcomes if o.staged is not None} | {r.slug: r for r in up_to_date}
    results = [built[slug] for slug in loaded.valid if slug in built]
    # Found in the workers (or recorded when an up-to-date site was built): a shared file's
    # once, and the configuration's not again.
    found = [*(p for o in outcomes for p in o.warnings), *(p for r in up_to_date for p in r.warnings)]
    for problem in dict.fromkeys(p for p in found if p not in early):
        warn(problem)
    summary(results, time.perf_counter() - started)
    if skipped:
        raise SitesSkipped(problems, skipped, [r.slug for r in results], results)
    return results


def _warn_unknown_themes(options: Options, loaded: Loaded) -> None:
    if not options.only:  # with --only the other municipalities are not loaded
        for problem in render.unknown_themes(options.root, {*loaded.valid, *loaded.broken}):
            warn(problem)


def check_out(options: Options) -> None:
    """--out must be a folder that can be made: not an existing file, nor inside one."""
    folder = options.out
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    if not folder.is_dir():
        shown = relpath(folder, options.root)
        what = "is" if folder == options.out else f"is inside {shown}, which is"
        raise ConfigError(Problem("--out", f'"{relpath(options.out, options.root)}" {what} a file, not a folder '
                                           "(expected a folder for the sites, like dist)"))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(Problem("--out", f'cannot write in "{relpath(folder, options.root)}" (expected a folder '
                                           "you may write in)"))


def check(options: Options) -> int:
    """Validate and render everything, check links, and write nothing to the output folder.

    Reports every problem as a build would, and says what a build would then do.
    """
    import tempfile

    with captured() as early:
        loaded = load_each(options.root, options.only, cache.BuildCache(options.cache_folder))
        _warn_unknown_themes(options, loaded)
    for problem in early:
        warn(problem)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="panelsite-check-") as scratch:
        scratch_options = Options(**{**options.__dict__, "out": Path(scratch), "progress": False})
        try:
            outcomes = _stage_all(scratch_options, _tasks(options, loaded, {}, reuse=False)[0] if not loaded.problems
                                  else [])
        finally:
            _abort(outcomes)
    for problem in dict.fromkeys(p for o in outcomes for p in o.warnings if p not in early):
        warn(problem)
    problems, skipped, none = _verdict(loaded, outcomes, False)
    if problems:
        error = _error_type(loaded, outcomes)(problems)
        if none:
            error.consequence = "nothing was written; a build would write no site."
        else:
            error.consequence = (f"nothing was written; a build would skip {', '.join(skipped)} and write the other "
                                 "sites (with --strict: none).")
        raise error
    return len(outcomes)

