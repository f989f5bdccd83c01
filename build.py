#!/usr/bin/env python3
"""Entry point: ``python build.py [command] [options]`` — the same CLI as ``panelsite``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from panelsite.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
