"""``deploy``: upload built sites (see panelsite.cli and docs/deploy.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from panelsite.engine.options import add_root_argument
from panelsite.errors import ConfigError, Problem, did_you_mean, relpath


def deploy_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument("slugs", nargs="+", metavar="SLUG", help="the municipality whose built site is deployed "
                                                                 "(several: DEST must contain {slug})")
    parser.add_argument("--to", required=True, metavar="DEST",
                        help="a folder, rsync://host/module/path, [user@]host:path (rsync over SSH) or "
                             "s3://bucket/prefix; {slug} is replaced")
    parser.add_argument("--out", type=Path, default=None, help="the folder the build wrote to (default: ROOT/dist)")
    parser.add_argument("--dry-run", action="store_true",
                        help="show what would be uploaded and deleted, change nothing")
    parser.add_argument("--take-over", action="store_true",
                        help="replace what a destination holds that no panelsite deploy put there (files the site "
                             "does not have are deleted)")


def deploy(args: argparse.Namespace) -> int:
    from panelsite.deploy.runner import deploy as run
    from panelsite.deploy.targets import open_target

    root = args.root.resolve()
    out = (args.out or root / "dist").resolve()
    if len(args.slugs) > 1 and "{slug}" not in args.to:
        raise ConfigError(Problem("--to", f'"{args.to}" is one destination for {len(args.slugs)} sites (expected '
                                          "{slug} in it, e.g. s3://panels/{slug}/)"))
    problems, jobs = [], []
    for slug in dict.fromkeys(args.slugs):
        folder = out / slug
        if not (folder / "index.html").is_file():
            built = sorted(p.name for p in out.iterdir() if (p / "index.html").is_file()) if out.is_dir() else []
            problems.append(Problem(relpath(folder, root), f"no built site of {slug} here{did_you_mean(slug, built)} "
                                                           "(expected the output of python build.py; "
                                                           "--out names another folder)"))
            continue
        try:
            jobs.append((slug, folder, open_target(args.to.replace("{slug}", slug), folder)))
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    for slug, folder, target in jobs:
        run(slug, folder, target, dry_run=args.dry_run, take_over=args.take_over)
    return 0
