"""Every command of the program is in README's "Everyday use" (as Datasette tests its options are documented)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from panelsite.cli import COMMANDS, make_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_command_is_in_the_readme():
    block = re.search(r"## Everyday use\n\n```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    documented = {m.group(1) for m in re.finditer(r"^python build\.py (?!-)(\S+)", block, re.M)}
    subparsers = next(a for a in make_parser()._actions if isinstance(a, argparse._SubParsersAction))
    names = {c.name for c in COMMANDS}
    assert set(subparsers.choices) == names
    assert names - {"build"} <= documented, f"not in README: {sorted(names - {'build'} - documented)}"
