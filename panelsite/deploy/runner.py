"""A deploy, top to bottom: read the site and the destination, plan, upload pass by pass, record,
delete what is stale.

The destination serves a whole site at every moment: a pass starts only when the one before it
has finished, the record of what is there (plan.STATE_FILE) is written after each pass, and
nothing is deleted before every file of the new site is in place. When something fails, the
deploy stops there, says what is and is not in place, and exits 1; running it again finishes it
(what already arrived is recognised and not sent again).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from panelsite.deploy import plan as planning
from panelsite.deploy.plan import Plan, Record, SiteFile, size_text
from panelsite.deploy.progress import Progress
from panelsite.deploy.targets import Target, TargetError
from panelsite.errors import BuildError, ConfigError, Problem


class DeployError(BuildError):
    """A deploy that stopped; its closing line says what the destination serves now."""

    def __init__(self, problems, closing: str = "The destination was not changed."):
        super().__init__(problems)
        self._closing = closing

    def __reduce__(self):
        return (type(self), (self.problems, self._closing))

    def closing(self) -> str:
        return self._closing


@dataclass
class Summary:
    uploaded: int
    uploaded_bytes: int
    unchanged: int
    deleted: int
    seconds: float
    plan: Plan


def deploy(slug: str, site_folder: Path, target: Target, *, dry_run: bool = False, take_over: bool = False,
           log=print, progress_stream=None) -> Summary:
    started = time.perf_counter()
    site = planning.scan_site(site_folder)
    try:
        inventory = target.inventory()
        state = planning.read_state(target.read_state())
    except TargetError as exc:
        raise DeployError(str(exc)) from None
    plan = planning.make_plan(site, inventory, state)
    if state is None and plan.stale and not take_over:
        shown = ", ".join(plan.stale[:3]) + (" …" if len(plan.stale) > 3 else "")
        raise ConfigError(Problem("--to", f"{target.label} holds {len(plan.stale)} file"
                                          f"{'s' if len(plan.stale) != 1 else ''} the site does not have ({shown}) "
                                          f"and no record of a panelsite deploy ({planning.STATE_FILE}): deploy to "
                                          "an empty folder or prefix, or add --take-over to replace what is there "
                                          "(the files the site does not have are then deleted)"))
    _describe(slug, site_folder, target, plan, log, dry_run)
    if dry_run or plan.changes_nothing:
        if plan.changes_nothing:
            log(f"{slug} at {target.label} is up to date ({len(plan.unchanged)} files unchanged).")
        else:
            log("Dry run: nothing was uploaded or deleted.")
        return Summary(0, 0, len(plan.unchanged), 0, time.perf_counter() - started, plan)

    records = dict(plan.records)
    progress = Progress(len(plan.uploads) + len(plan.stale), sum(f.size for f in plan.uploads), progress_stream)
    done_passes: list[str] = []
    try:
        for step in plan.passes:
            progress.begin(step.kind.name)
            sent = 0

            def one_done(file: SiteFile) -> None:
                nonlocal sent
                sent += 1
                progress.advance(file.size)

            try:
                fingerprints = target.upload(step.files, one_done)
                records.update({f.path: Record.of(f, fingerprints[f.path]) for f in step.files})
                target.write_state(planning.state_bytes(slug, records))
            except TargetError as exc:
                progress.close()
                raise DeployError(f"{exc} (while uploading {step.kind.name}: {sent} of {len(step.files)} sent)",
                                  _stopped_during(step.kind.name, done_passes)) from None
            done_passes.append(step.kind.name)
            if not progress.drawn:
                log(f"  {step.kind.name}: {len(step.files)} uploaded ({size_text(step.bytes)})")
        if plan.stale:
            progress.begin("stale")
            try:
                target.delete(plan.stale, lambda _path: progress.advance())
            except TargetError as exc:
                progress.close()
                raise DeployError(str(exc), "Every file of the new site is in place; some stale files are still "
                                            "there. Run the deploy again to delete them.") from None
            if not progress.drawn:
                log(f"  stale: {len(plan.stale)} deleted")
        site_paths = {f.path for f in site}
        final = {path: record for path, record in records.items() if path in site_paths}
        if final != plan.records or not plan.known:
            try:
                target.write_state(planning.state_bytes(slug, final))
            except TargetError as exc:
                raise DeployError(str(exc), "The new site is in place; its record was not updated, so the next "
                                            "deploy sends some files again.") from None
    finally:
        progress.close()
    seconds = time.perf_counter() - started
    summary = Summary(len(plan.uploads), sum(f.size for f in plan.uploads), len(plan.unchanged), len(plan.stale),
                      seconds, plan)
    log(f"Deployed {slug} to {target.label}: {summary.uploaded} uploaded ({size_text(summary.uploaded_bytes)}), "
        f"{summary.unchanged} unchanged, {summary.deleted} deleted in {seconds:.1f} s")
    return summary


def _stopped_during(kind: str, done: list[str]) -> str:
    earlier = f"The {' and '.join(done)} went up first and are complete; " if done else ""
    if kind == "assets":
        return ("No page was changed: the destination still serves the previous site (with the new assets that "
                "arrived). Nothing was deleted. Run the deploy again to finish it.")
    return (f"{earlier}some {kind} are new and some still the previous ones, each complete, and every page links "
            "only to files that are there. Nothing was deleted. Run the deploy again to finish it.")


def _describe(slug: str, site_folder: Path, target: Target, plan: Plan, log, dry_run: bool) -> None:
    log(f"{'Dry run: deploying' if dry_run else 'Deploying'} {slug} from {site_folder} to {target.label}")
    for step in plan.passes:
        changed = len(step.files) - step.new
        log(f"  {step.kind.name:<10} {len(step.files)} to upload ({size_text(step.bytes)}; "
            f"{step.new} new, {changed} changed)")
    if plan.stale:
        log(f"  {'stale':<10} {len(plan.stale)} to delete")
    log(f"  {'unchanged':<10} {len(plan.unchanged)}")
    if dry_run:
        for step in plan.passes:
            for file in step.files:
                log(f"    upload {file.path}  [{file.content_type}; Cache-Control: {file.cache_control}]")
        for path in plan.stale:
            log(f"    delete {path}")
