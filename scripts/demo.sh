#!/usr/bin/env bash
# THE demo command: install what is missing, build the three demo sites and serve
# them at http://127.0.0.1:8000/<slug>/ with the response collector on port 8001,
# so the forms work locally. Rebuilds and reloads the browser when files change.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec "${PANELSITE_VENV:-.venv}/bin/python" build.py serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" "$@"
