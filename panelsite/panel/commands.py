"""``panel-report``: the staff report on the panel's representativeness (see panelsite.cli)."""

from __future__ import annotations

import argparse
from pathlib import Path

from panelsite.engine.options import add_root_argument


def report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slug")
    add_root_argument(parser)
    parser.add_argument("--threshold", type=float, default=0.8, help="under-representation threshold (default 0.8)")
    parser.add_argument("--out", type=Path, default=None, help="report file (default: reports/panel-<slug>.md)")


def report(args: argparse.Namespace) -> int:
    from panelsite.panel.report import report_command

    return report_command(args.root.resolve(), args.slug, args.threshold, args.out)
