#!/usr/bin/env bash
# Install what panelsite's tests and demo need, on Debian as root: OS packages, the
# Python package with its test extra, and the npm tools (pa11y-ci, vnu-jar).
# Idempotent and quick when everything is there. No tool downloads a browser of its
# own: pa11y-ci and Playwright use Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
STAMPS=.panelsite-cache/install
mkdir -p "$STAMPS"
export PUPPETEER_SKIP_DOWNLOAD=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# --- Debian packages, only those missing ------------------------------------
has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
has_pkg fonts-dejavu-core || missing+=(fonts-dejavu-core)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "install.sh: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=900 update -q
  apt-get -o DPkg::Lock::Timeout=900 install -y -q "${missing[@]}"
fi

# --- Python: pip install -e '.[test]' when pyproject.toml or the tree changed --
py_key=$( { cat pyproject.toml; pwd; command -v "$PYTHON"; } | sha256sum | cut -c1-16)
if [ "$(cat "$STAMPS/pip" 2>/dev/null)" != "$py_key" ] || ! "$PYTHON" -c "import panelsite, pytest, playwright" 2>/dev/null; then
  echo "install.sh: pip install -e '.[test]'"
  "$PYTHON" -m pip install -q --disable-pip-version-check -e '.[test]'
  echo "$py_key" >"$STAMPS/pip"
fi

# --- npm tools from package-lock.json (install scripts off: vnu-jar's would fetch a JRE)
npm_key=$(sha256sum package-lock.json | cut -c1-16)
if [ "$(cat node_modules/.panelsite-lock 2>/dev/null)" != "$npm_key" ]; then
  echo "install.sh: npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$npm_key" >node_modules/.panelsite-lock
fi
