"""``readability``, ``serve`` and ``new``: the editors' commands (see panelsite.cli)."""

from __future__ import annotations

import argparse
from pathlib import Path

from panelsite.engine.options import add_root_argument, add_site_arguments, options_from
from panelsite.errors import ConfigError, Problem


def readability_arguments(parser: argparse.ArgumentParser) -> None:
    add_site_arguments(parser)
    parser.add_argument("--strict", action="store_true", help="exit 1 when there is any warning")
    parser.add_argument("--built", action="store_true",
                        help="also check the text of the built pages in --out (what the templates add)")


def readability(args: argparse.Namespace) -> int:
    from panelsite.authoring import readability as check

    return check.main(options_from(args), strict=args.strict, built=args.built)


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument("--only", action="append", metavar="SLUG", help="only this municipality (repeatable)")
    parser.add_argument("--out", type=Path, default=None,
                        help="preview folder (default: ROOT/.panelsite-cache/serve/PORT, with -drafts for --drafts)")
    # The preview is built for its own address (http://HOST:PORT/<slug>/): a --base-url would
    # be ignored, so it is refused instead of silently dropped.
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--collector-url", help="URL the forms post to when the collector is not started here "
                                                "(default: a preview page saying the form was not sent)")
    parser.add_argument("--drafts", action="store_true",
                        help="include draft pages and surveys under embargo (they carry a banner saying so)")
    parser.add_argument("--jobs", type=int, default=0, help="parallel processes for the first build "
                                                            "(default: number of cores)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port of the preview (default: 8000)")
    parser.add_argument("--collector-port", type=int, default=None,
                        help="port of the response collector (default: PORT + 1)")
    parser.add_argument("--no-collector", action="store_true",
                        help="do not start the response collector (the forms then cannot be sent)")
    parser.add_argument("--cms-port", type=int, default=None,
                        help="port of Decap CMS's local backend, decap-server (default: PORT + 2); "
                             "the CMS itself is at http://HOST:PORT/_cms/")
    parser.add_argument("--no-cms", action="store_true", help="do not start the CMS's local backend")


def serve(args: argparse.Namespace) -> int:
    if args.base_url:
        raise ConfigError(Problem("--base-url", "serve builds the preview for its own address "
                                                "(http://HOST:PORT/<slug>/); use --host and --port, or "
                                                "python build.py --base-url … for a preview deploy"))
    from panelsite.authoring.preview import run_preview

    collector_port = args.port + 1 if args.collector_port is None else args.collector_port
    cms_port = args.port + 2 if args.cms_port is None else args.cms_port
    return run_preview(options_from(args), args.host, args.port, None if args.no_collector else collector_port,
                       None if args.no_cms else cms_port)


def schema_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument("--out", type=Path, default=None, help="folder to write to (default: ROOT/schemas)")


def schema(args: argparse.Namespace) -> int:
    from panelsite.authoring import schemas
    from panelsite.errors import LOG, relpath

    root = args.root.resolve()
    out = (args.out or root / "schemas").resolve()
    files = schemas.write(out)
    LOG.info(f"Wrote {len(files)} JSON Schemas to {relpath(out, root)}/: {', '.join(f.name for f in files)}")
    return 0


def cms_arguments(parser: argparse.ArgumentParser) -> None:
    add_root_argument(parser)
    parser.add_argument("--out", type=Path, required=True,
                        help="folder to write the CMS into, e.g. dist/lindenhaven/admin (served at /admin/)")
    parser.add_argument("--backend", choices=["git-gateway", "github"], default="git-gateway",
                        help="where the CMS saves: git-gateway (Netlify Identity) or GitHub (default: git-gateway)")
    parser.add_argument("--repo", help="owner/name of the GitHub repository (--backend github)")
    parser.add_argument("--branch", default="main", help="branch the CMS commits to (default: main)")
    parser.add_argument("--auth-url", help="OAuth server for the GitHub backend off Netlify "
                                           "(Decap's base_url, e.g. https://cms-auth.gemeente.nl)")
    parser.add_argument("--site-url", help="the site's address, for the CMS's link to it")


def cms(args: argparse.Namespace) -> int:
    from panelsite.authoring import cms as decap
    from panelsite.errors import LOG, relpath

    if args.backend == "github" and not (args.repo and args.repo.count("/") == 1):
        raise ConfigError(Problem("--repo", "the GitHub backend needs the repository (expected owner/name, "
                                            "like gemeente-lindenhaven/panel)"))
    root = args.root.resolve()
    out = args.out.resolve()
    files = decap.write_admin(out, root, decap.production_backend(args.backend, args.repo, args.branch, args.auth_url),
                              args.site_url)
    LOG.info(f"Wrote Decap CMS ({args.backend} backend, branch {args.branch}) to {relpath(out, root)}/: "
             f"{len(files)} files")
    return 0


def new_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=["municipality", "survey"])
    parser.add_argument("names", nargs="+", help="municipality: <slug>; survey: <slug> <survey-id>")
    add_root_argument(parser)


def new(args: argparse.Namespace) -> int:
    from panelsite.authoring.scaffold import new as scaffold

    return scaffold(args.root.resolve(), args.what, args.names)
