"""What a build is asked to do: the options every site command shares, and the build date.

Kept apart from the pipeline so the command line can describe and read them without
importing Jinja, pandas or WeasyPrint.
"""

from __future__ import annotations

import argparse
import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from panelsite.config.dates import build_date, dutch_time  # noqa: F401 - the build date lives with the dates
from panelsite.errors import ConfigError, Problem


@dataclass
class Options:
    root: Path
    out: Path
    out_given: bool = True  # False when --out was not passed (serve then uses its own folder)
    only: list[str] | None = None
    base_url: str | None = None  # may contain {slug}
    collector_url: str | None = None
    drafts: bool = False
    today: _dt.date = field(default_factory=lambda: build_date())
    jobs: int = 0  # 0: as many as cores
    progress: bool = True
    strict: bool = False  # one municipality's problem stops every site (default: the others are built)
    cache_dir: Path | None = None  # the build cache (engine/cache.py); None: ROOT/.panelsite-cache/build

    @property
    def cache_folder(self) -> Path:
        from panelsite.engine.cache import CACHE_DIR

        return self.cache_dir if self.cache_dir is not None else self.root / CACHE_DIR


def add_site_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of every command that builds or reads the sites (build, check, readability)."""
    add_root_argument(parser)
    parser.add_argument("--only", action="append", metavar="SLUG", help="only this municipality (repeatable)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: ROOT/dist)")
    parser.add_argument("--base-url", help="build for another URL, e.g. a preview deploy; {slug} is replaced "
                                           "(without it, several sites go to URL/<slug>/)")
    parser.add_argument("--collector-url", help="URL of the response collector the forms post to "
                                                "(default: each municipality's collector.url)")
    parser.add_argument("--drafts", action="store_true", help="include draft pages and surveys under embargo")
    parser.add_argument("--jobs", type=int, default=0, help="parallel processes (default: number of cores)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="folder of the build cache: survey analyses, PDFs and compiled templates by the hash of "
                             "their inputs, kept between builds, also when the output folder is new (default: "
                             "ROOT/.panelsite-cache/build; keep it in CI)")


def add_root_argument(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: the main parser has --root too (``panelsite --root X export …``), and a
    # subcommand's default must not overwrite what was given there.
    parser.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                        help="project folder (default: current folder)")


def options_from(args: argparse.Namespace) -> Options:
    root = args.root.resolve()
    check_base_url(args.base_url)
    return Options(root=root, out=(args.out or root / "dist").resolve(), out_given=args.out is not None,
                   only=args.only, base_url=args.base_url, collector_url=args.collector_url, drafts=args.drafts,
                   jobs=args.jobs, strict=getattr(args, "strict", False),
                   cache_dir=args.cache_dir.resolve() if getattr(args, "cache_dir", None) else None)


def check_base_url(url: str | None) -> None:
    """--base-url must be absolute: a bare host would make every link on the site wrong."""
    parts = urlsplit(url or "")
    if url and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ConfigError(Problem("--base-url", f'"{url}" is not a valid URL (expected an absolute http(s) URL like '
                                                "https://preview.example.nl/pr-12/{slug}/)"))


def site_base_url(options: Options, municipality, several: bool) -> str:
    """The URL a site is built for: its own ``base_url`` or the ``--base-url`` override."""
    if not options.base_url:
        return municipality.base_url
    url = options.base_url
    if "{slug}" in url:
        url = url.replace("{slug}", municipality.slug)
    elif several:
        url = url.rstrip("/") + "/" + municipality.slug + "/"
    return url if url.endswith("/") else url + "/"
