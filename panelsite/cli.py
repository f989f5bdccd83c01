"""The command line: ``python build.py …`` and ``panelsite …`` are the same program.

Exit codes: 0 ok, 1 build error, 2 invalid input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PanelsiteError

if TYPE_CHECKING:
    from .pipeline import Options

COMMANDS = ("build", "check", "readability", "serve", "collect", "export", "retention", "new", "panel-report")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (default: current folder)")
    parser.add_argument("--only", action="append", metavar="SLUG", help="only this municipality (repeatable)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: ROOT/dist)")
    parser.add_argument("--base-url", help="build for another URL, e.g. a preview deploy; {slug} is replaced "
                                           "(without it, several sites go to URL/<slug>/)")
    parser.add_argument("--collector-url", help="URL of the response collector the forms post to "
                                                "(default: each municipality's collector.url)")
    parser.add_argument("--drafts", action="store_true", help="include draft pages and surveys under embargo")
    parser.add_argument("--jobs", type=int, default=0, help="parallel processes (default: number of cores)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="panelsite", description="Build the resident panel sites.")
    sub = parser.add_subparsers(dest="command")
    _common(sub.add_parser("build", help="build every municipality (the default command)"))
    check = sub.add_parser("check", help="validate everything and write nothing")
    _common(check)
    check.add_argument("--a11y", action="store_true",
                       help="run pa11y-ci and the Nu HTML Checker over the built site and write a report")
    check.add_argument("--publish", action="store_true",
                       help="with --a11y: also write content/<slug>/a11y-report.json, which the accessibility "
                            "statement shows and links to after the next build")
    readability = sub.add_parser("readability", help="check the Dutch texts against the B1 guidance (warnings)")
    _common(readability)
    readability.add_argument("--strict", action="store_true", help="exit 1 when there is any warning")
    readability.add_argument("--built", action="store_true",
                             help="also check the text of the built pages in --out (what the templates add)")
    serve = sub.add_parser("serve", help="build, serve locally, rebuild on change and reload the browser")
    serve.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (default: current folder)")
    serve.add_argument("--only", action="append", metavar="SLUG", help="only this municipality (repeatable)")
    serve.add_argument("--out", type=Path, default=None,
                       help="preview folder (default: ROOT/.panelsite-cache/serve/PORT, with -drafts for --drafts)")
    # The preview is built for its own address (http://HOST:PORT/<slug>/): a --base-url would
    # be ignored, so it is refused instead of silently dropped.
    serve.add_argument("--base-url", help=argparse.SUPPRESS)
    serve.add_argument("--collector-url", help="URL the forms post to when the collector is not started here "
                                               "(default: a preview page saying the form was not sent)")
    serve.add_argument("--drafts", action="store_true",
                       help="include draft pages and surveys under embargo (they carry a banner saying so)")
    serve.add_argument("--jobs", type=int, default=0, help="parallel processes for the first build "
                                                            "(default: number of cores)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port of the preview (default: 8000)")
    serve.add_argument("--collector-port", type=int, default=None,
                       help="port of the response collector (default: PORT + 1)")
    serve.add_argument("--no-collector", action="store_true",
                       help="do not start the response collector (the forms then cannot be sent)")
    for name, text in (("collect", "run the response collector"), ("export", "export responses or members"),
                       ("retention", "delete what the privacy statement says is deleted")):
        sub.add_parser(name, help=text, add_help=False)
    new = sub.add_parser("new", help="create a commented starting point")
    new.add_argument("what", choices=["municipality", "survey"])
    new.add_argument("names", nargs="+", help="municipality: <slug>; survey: <slug> <survey-id>")
    new.add_argument("--root", type=Path, default=Path.cwd())
    report = sub.add_parser("panel-report", help="staff report on the panel's representativeness (not published)")
    report.add_argument("slug")
    report.add_argument("--root", type=Path, default=Path.cwd())
    report.add_argument("--threshold", type=float, default=0.8, help="under-representation threshold (default 0.8)")
    report.add_argument("--out", type=Path, default=None, help="report file (default: reports/panel-<slug>.md)")
    return parser


def options_from(args) -> Options:
    from .pipeline import Options

    root = args.root.resolve()
    check_base_url(args.base_url)
    return Options(root=root, out=(args.out or root / "dist").resolve(), out_given=args.out is not None, only=args.only, base_url=args.base_url,
                   collector_url=args.collector_url, drafts=args.drafts, jobs=args.jobs)


def check_base_url(url: str | None) -> None:
    """--base-url must be absolute: a bare host would make every link on the site wrong."""
    from urllib.parse import urlsplit

    from .errors import ConfigError, Problem

    parts = urlsplit(url or "")
    if url and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ConfigError(Problem("--base-url", f'"{url}" is not a valid URL (expected an absolute http(s) URL like '
                                                "https://preview.example.nl/pr-12/{slug}/)"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")
    if argv[0] in ("collect", "export", "retention"):
        from .collector import cli as collector_cli

        return collector_cli.main(argv)
    args = make_parser().parse_args(argv)
    try:
        return run(args)
    except PanelsiteError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def run(args) -> int:
    from . import pipeline

    if args.command == "build":
        pipeline.build(options_from(args))
        return 0
    if args.command == "check":
        options = options_from(args)
        if args.a11y:
            from .a11y import main_check_a11y

            return main_check_a11y(options.root, options.out, args.only or [], publish=args.publish)
        count = pipeline.check(options)
        print(f"Checked {count} municipalit{'ies' if count != 1 else 'y'}: no problems found.")
        return 0
    if args.command == "readability":
        from . import readability

        return readability.main(options_from(args), strict=args.strict, built=args.built)
    if args.command == "serve":
        from .serve import serve

        if args.base_url:
            from .errors import ConfigError, Problem

            raise ConfigError(Problem("--base-url", "serve builds the preview for its own address "
                                                    "(http://HOST:PORT/<slug>/); use --host and --port, or "
                                                    "python build.py --base-url … for a preview deploy"))
        collector_port = args.port + 1 if args.collector_port is None else args.collector_port
        return serve(options_from(args), args.host, args.port, None if args.no_collector else collector_port)
    if args.command == "new":
        from .scaffold import new

        return new(args.root.resolve(), args.what, args.names)
    if args.command == "panel-report":
        from .panel import report_command

        return report_command(args.root.resolve(), args.slug, args.threshold, args.out)
    raise AssertionError(args.command)
