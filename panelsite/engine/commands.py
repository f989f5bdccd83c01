"""``build`` and ``check``: the commands of the build engine (see panelsite.cli)."""

from __future__ import annotations

import argparse

from panelsite.engine.options import add_site_arguments, options_from


def build_arguments(parser: argparse.ArgumentParser) -> None:
    add_site_arguments(parser)
    parser.add_argument("--strict", action="store_true",
                        help="write no site when any municipality has a problem (default: build the valid ones, "
                             "leave the others' previous sites as they were, and exit 1)")


def build(args: argparse.Namespace) -> int:
    import time

    from panelsite.engine import uptodate

    started = time.perf_counter()
    options = options_from(args)
    # Nothing to build: answered without importing the pipeline (its page families bring
    # pandas, SciPy and Jinja), reporting what the last build of each site reported.
    keys = uptodate.fingerprints(options)
    unchanged = uptodate.unchanged_build(options, keys)
    if unchanged is not None:
        from panelsite.errors import warn

        for done, result in enumerate(unchanged, 1):
            uptodate.progress(result, options, done, len(unchanged))
        for problem in dict.fromkeys(p for r in unchanged for p in r.warnings):
            warn(problem)
        uptodate.summary(unchanged, time.perf_counter() - started)
        return 0
    from panelsite.engine import pipeline

    pipeline.build(options, keys)
    return 0


def check_arguments(parser: argparse.ArgumentParser) -> None:
    add_site_arguments(parser)
    parser.add_argument("--a11y", action="store_true",
                        help="run pa11y-ci and the Nu HTML Checker over the built site and write a report")
    parser.add_argument("--publish", action="store_true",
                        help="with --a11y: also write content/<slug>/a11y-report.json, which the accessibility "
                             "statement shows and links to after the next build")


def check(args: argparse.Namespace) -> int:
    options = options_from(args)
    if args.a11y:
        from panelsite.a11y.check import main_check_a11y

        return main_check_a11y(options.root, options.out, args.only or [], publish=args.publish)
    from panelsite.engine import pipeline
    from panelsite.errors import LOG, reported

    count = pipeline.check(options)
    warnings = reported("warning")
    found = f"no errors, {warnings} warning{'s' if warnings != 1 else ''} (above)" if warnings else "no problems found"
    LOG.info(f"Checked {count} municipalit{'ies' if count != 1 else 'y'}: {found}.")
    return 0
