"""The build, top to bottom: load and validate everything, compute, render, write.

``build`` validates every municipality first (so one run reports every
problem and nothing is written when any input is invalid), then builds each
site — in a process pool when there are several and more than one core —
and prints a one-line summary.

The pages beyond the content pages come from the page families in :data:`FAMILIES`
(the contract: panelsite.engine.family.PageFamily), called in that order.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from panelsite.a11y import report_page
from panelsite.config import dates
from panelsite.config.municipality import Municipality, load_municipalities
from panelsite.engine import content, navigation, pdf, render
from panelsite.engine.family import PageFamily, SiteInputs
from panelsite.engine.hashing import digest
from panelsite.engine.options import Options, site_base_url
from panelsite.engine.site import NavItem, Site
from panelsite.engine.uptodate import MANIFEST_DIR, SiteResult, fingerprint, progress, record, summary, unchanged
from panelsite.engine.writer import (
    StagedSite,
    broken_links,
    internal_links,
    prune_blobs,
    remove_abandoned,
    robots,
    sitemap,
)
from panelsite.errors import BuildError, ConfigError, PanelsiteError, Problem, captured, did_you_mean, warn
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
    municipalities = load_municipalities(options.root, options.only)
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
    site = Site(options.root, inputs, base_url, options.collector_url, options.today, options.drafts)
    site.pdf_cache = options.out / MANIFEST_DIR / "pdf-cache"
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
        md = content.markdown_renderer()
        content.render_markdown(page, content_env,
                                {"site": site.municipality, "url": url, **site.prepared.template_context()}, md)
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
class Staged:
    result: SiteResult
    stage: StagedSite
    manifest: dict
    manifest_path: Path
    fingerprint: str | None = None  # of its inputs (engine/uptodate.py), recorded when committed


def stage_site(options: Options, inputs: SiteInputs, base_url: str) -> Staged:
    """Render one site into a temporary folder; unchanged outputs are reused."""
    started = time.perf_counter()
    m = inputs.municipality
    site = plan_site(options, inputs, base_url)
    target = options.out / m.slug
    manifest_path = options.out / MANIFEST_DIR / f"{m.slug}.json"
    previous = _read_manifest(manifest_path)
    staged = StagedSite(target, options.out / MANIFEST_DIR / "blobs")
    manifest: dict[str, dict] = {}
    rendered = 0
    try:
        seen: set[str] = set()
        for output in site.outputs:
            if output.path in seen:
                raise BuildError(Problem(output.source or output.path, f"two outputs write {output.path}"))
            seen.add(output.path)
            old = previous.get(output.path)
            if old and old.get("key") == output.key and staged.reuse(output.path):
                manifest[output.path] = {**old, "source": output.source} if output.source else old
                continue
            with pdf.keys_used() as pdf_keys:
                data = output.render()
            rendered += 1
            staged.write(output.path, data, output.shared)
            links = internal_links(data.decode("utf-8", "replace")) if output.path.endswith(".html") else []
            manifest[output.path] = {"key": output.key, "links": links}
            if output.source:  # the file it is made from, for the preview's readability notes
                manifest[output.path]["source"] = output.source
            if pdf_keys:  # the cached PDFs it used: kept while a later build reuses the output
                manifest[output.path]["pdfs"] = sorted(pdf_keys)
        # The search index of what was just staged: only what this build publishes is found.
        search_index.add_index(staged.stage, manifest, previous, staged.reuse)
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
    importing WeasyPrint itself (a second; pandas and plotly come with the page
    families this module imports). The imported objects then move out of the
    garbage collector's sight (``gc.freeze``): they live as long as the process,
    and without it every full collection in every worker walks them again (7% of
    a build's CPU).
    """
    import gc

    pdf.load_weasyprint()  # imported lazily by panelsite.engine.pdf

    gc.collect()
    gc.freeze()


def _stage_one(options: Options, slug: str, base_url: str, key: str) -> Staged:
    """Load, compute and render one municipality (runs in a worker process).

    Its warnings travel back with the result, so the main process reports each once.
    """
    with captured() as found:
        loaded = load_all(Options(**{**options.__dict__, "only": [slug]}))
        staged = stage_site(options, loaded[slug], base_url)
    staged.result.warnings = found
    staged.fingerprint = key
    return staged


def build(options: Options) -> list[SiteResult]:
    """Validate every configuration, build each site into a stage, commit only if all succeed.

    A worker loads its own municipality's content and survey data, so the
    expensive loading runs in parallel; errors from every site are gathered
    and reported together, and then no site is replaced.
    """
    started = time.perf_counter()
    with captured() as early:
        municipalities = load_municipalities(options.root, options.only)
    for problem in early:
        warn(problem)
    remove_abandoned(options.out)
    several = len(municipalities) > 1
    jobs = options.jobs or os.cpu_count() or 1
    # A site built from exactly these inputs, and still intact, is skipped (engine/uptodate.py).
    skipped: list[SiteResult] = []
    tasks = []
    for slug, m in municipalities.items():
        key = fingerprint(options, slug, several)
        if (same := unchanged(options, slug, key)) is not None:
            skipped.append(same)
            progress(same, options, len(skipped), len(municipalities))
        else:
            tasks.append((slug, site_base_url(options, m, several), key))
    staged: list[Staged] = []
    errors: list[PanelsiteError] = []
    if jobs > 1 and len(tasks) > 1:
        _preload()
        with ProcessPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            futures = [pool.submit(_stage_one, options, *task) for task in tasks]
            for future in futures:
                try:
                    staged.append(future.result())
                    progress(staged[-1].result, options, len(skipped) + len(staged), len(municipalities))
                except PanelsiteError as exc:
                    errors.append(exc)
    else:
        for task in tasks:
            try:
                staged.append(_stage_one(options, *task))
                progress(staged[-1].result, options, len(skipped) + len(staged), len(municipalities))
            except PanelsiteError as exc:
                errors.append(exc)
    if errors:
        for s in staged:
            s.stage.abort()
        kind = max(errors, key=lambda e: e.exit_code)
        # Shared pages fail the same way for every municipality: report each problem once.
        raise type(kind)(list(dict.fromkeys(p for e in errors for p in e.problems)))
    for s in staged:
        commit(s)
    prune_blobs(options.out / MANIFEST_DIR / "blobs")
    pdf.prune_cache(options.out / MANIFEST_DIR / "pdf-cache", pdfs_in_manifests(options.out / MANIFEST_DIR))
    built = {s.result.slug: s.result for s in staged} | {r.slug: r for r in skipped}
    results = [built[slug] for slug in municipalities]
    # Found in the workers: a shared file's once, and the configuration's not again.
    for problem in dict.fromkeys(p for r in results for p in r.warnings if p not in early):
        warn(problem)
    summary(results, time.perf_counter() - started)
    return results


def check(options: Options) -> int:
    """Validate and render everything, check links, and write nothing to the output folder."""
    import tempfile

    loaded = load_all(options)
    with tempfile.TemporaryDirectory(prefix="panelsite-check-") as scratch:
        scratch_options = Options(**{**options.__dict__, "out": Path(scratch)})
        for inputs in loaded.values():
            m = inputs.municipality
            staged = stage_site(scratch_options, inputs, site_base_url(options, m, len(loaded) > 1))
            staged.stage.abort()
    return len(loaded)
