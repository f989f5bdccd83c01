#!/usr/bin/env python3
"""Write constraints.txt: the exact versions of panelsite's dependencies (and theirs) as installed now.

    python scripts/pin_constraints.py      # after upgrading a package on purpose

install.sh and the deploy recipes install with ``-c constraints.txt``, so CI, a deploy and a
colleague's laptop build with the versions the tests passed with: plotly.js, WeasyPrint and
Babel all end up in the output. pyproject.toml keeps the ranges panelsite works with.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def closure(name: str, extras: set[str], seen: dict[str, str]) -> None:
    dist = metadata.distribution(name)
    key = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
    for text in dist.requires or []:
        req = Requirement(text)
        environment = {"extra": ""}
        wanted = req.marker is None or req.marker.evaluate(environment) or any(
            req.marker.evaluate({"extra": extra}) for extra in extras)
        if not wanted:
            continue
        child = re.sub(r"[-_.]+", "-", req.name).lower()
        if child in seen:
            continue
        try:
            seen[child] = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency this platform does not install
        closure(req.name, set(req.extras), seen)
    seen.setdefault(key, dist.version)


def main() -> int:
    seen: dict[str, str] = {}
    closure("panelsite", {"test"}, seen)
    seen.pop("panelsite", None)
    lines = [f"{name}=={version}" for name, version in sorted(seen.items())]
    header = ("# Exact versions the tests passed with; regenerate with python scripts/pin_constraints.py.\n"
              "# Used as pip install -c constraints.txt (install.sh, the deploy recipes).\n")
    (ROOT / "constraints.txt").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"constraints.txt: {len(lines)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
