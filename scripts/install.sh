#!/usr/bin/env bash
# Install what panelsite's tests and demo need, on Debian as root: OS packages, a
# virtual environment (.venv) with the Python package and its test extra, and the npm
# tools (pa11y-ci, vnu-jar). A venv, because Debian's own python3 is "externally
# managed" (PEP 668) and refuses pip installs into the system.
# Idempotent and quick when everything is there. No tool downloads a browser of its
# own: pa11y-ci and Playwright use Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_PYTHON=${PYTHON:-python3}
VENV=${PANELSITE_VENV:-.venv}
STAMPS=.panelsite-cache/install
mkdir -p "$STAMPS"
export PUPPETEER_SKIP_DOWNLOAD=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# --- Node.js: pa11y-ci 4.1.1 (package-lock.json) needs 20 or newer; Debian bookworm has 18
NODE_MIN=20
major() { sed -E 's/^v?([0-9]+:)?([0-9]+).*/\2/'; }
node_too_old() {
  echo "install.sh: pa11y-ci needs Node.js $NODE_MIN or newer; $1." >&2
  echo "  Install Node.js $NODE_MIN+ first (Debian trixie's nodejs package, NodeSource's nodejs 20.x for" >&2
  echo "  bookworm, or the official build from https://nodejs.org/), with node and npm on PATH; then run" >&2
  echo "  scripts/install.sh again." >&2
  exit 1
}
if command -v node >/dev/null; then
  node_version=$(node --version)
  [ "$(major <<<"$node_version")" -ge "$NODE_MIN" ] 2>/dev/null || node_too_old "this machine has $node_version"
fi

# --- Debian packages, only those missing ------------------------------------
has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
has_pkg fonts-dejavu-core || missing+=(fonts-dejavu-core)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v pspp >/dev/null || missing+=(pspp)  # GNU PSPP writes the .sav test files with multiple-response sets
command -v rsync >/dev/null || missing+=(rsync)  # deploy to rsync:// and SSH servers (and its tests)
command -v wrk >/dev/null || missing+=(wrk)  # the load generator of bench/bench_collector.py (C: leaves the cores to the server)
command -v npm >/dev/null || missing+=(nodejs npm)
# Debian's python3 has no ensurepip without python3-venv; other Pythons (pyenv, python.org) bring it
"$BASE_PYTHON" -c "import ensurepip, venv" 2>/dev/null || [ -x "$VENV/bin/python" ] || missing+=(python3-venv)
if ((${#missing[@]})); then
  echo "install.sh: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -q
  if [[ " ${missing[*]} " == *" nodejs "* ]]; then  # before installing an old one that would then fail
    candidate=$(apt-cache policy nodejs | sed -n 's/^ *Candidate: //p')
    [ "$(major <<<"$candidate")" -ge "$NODE_MIN" ] 2>/dev/null ||
      node_too_old "npm is missing and apt offers nodejs ${candidate:-(none)}"
  fi
  apt-get -o DPkg::Lock::Timeout=900 install -y -q "${missing[@]}"
fi

# --- Python: a venv, then pip install -e '.[test]' when pyproject.toml, the pins or the tree changed --
[ -x "$VENV/bin/python" ] || { echo "install.sh: $BASE_PYTHON -m venv $VENV"; "$BASE_PYTHON" -m venv "$VENV"; }
PYTHON=$VENV/bin/python
# constraints.txt pins every package to the version the tests passed with (scripts/pin_constraints.py).
py_key=$( { cat pyproject.toml constraints.txt; pwd; command -v "$PYTHON"; } | sha256sum | cut -c1-16)
if [ "$(cat "$STAMPS/pip" 2>/dev/null)" != "$py_key" ] || ! "$PYTHON" -c "import panelsite, pytest, playwright" 2>/dev/null; then
  echo "install.sh: pip install -c constraints.txt -e '.[test]'"
  "$PYTHON" -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
  echo "$py_key" >"$STAMPS/pip"
fi

# --- npm tools from package-lock.json (install scripts off: vnu-jar's would fetch a JRE)
npm_key=$(sha256sum package-lock.json | cut -c1-16)
if [ "$(cat node_modules/.panelsite-lock 2>/dev/null)" != "$npm_key" ]; then
  echo "install.sh: npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$npm_key" >node_modules/.panelsite-lock
fi
