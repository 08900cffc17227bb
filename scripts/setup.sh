#!/usr/bin/env bash
# Install everything Minsheng needs on a Debian machine: system packages
# (Chinese fonts, pango/harfbuzz for PDFs, gettext), a virtualenv and the
# pinned Python packages; then compile the translation catalogs.
#
#   scripts/setup.sh          runtime packages
#   scripts/setup.sh --test   runtime + test packages
#
# Used by scripts/demo.sh, scripts/test.sh and the Dockerfile alike.
# Environment: VENV (default .venv), PYTHON (default python3.11 or python3),
# SKIP_SYSTEM_PACKAGES=1 to leave apt alone.
set -euo pipefail
cd "$(dirname "$0")/.."

REQS=requirements/base.txt
TESTING=0
[ "${1:-}" = "--test" ] && { REQS=requirements/test.txt; TESTING=1; }
VENV=${VENV:-.venv}

step() { printf '\n==> %s\n' "$*"; }

SYSTEM_PACKAGES=(
  fonts-noto-cjk            # Chinese glyphs for PDFs and screenshots
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # weasyprint
  gettext                   # compilemessages
)
# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser);
# the PDF tests read bulletins with poppler's pdffonts, pdftotext and pdfinfo.
[ "$TESTING" = "1" ] && SYSTEM_PACKAGES+=(chromium poppler-utils)
if [ -z "${PYTHON:-}" ]; then
  PYTHON=$(command -v python3.11 || command -v python3)
fi
# Debian's own Python ships venv separately; a Python that has it needs nothing.
"$PYTHON" -c "import ensurepip, venv" 2>/dev/null || SYSTEM_PACKAGES+=(python3-venv)

if [ "${SKIP_SYSTEM_PACKAGES:-0}" != "1" ]; then
  missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "Installing system packages: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null || { echo "Run as root, or install sudo, to install: ${missing[*]}" >&2; exit 1; }
      SUDO="sudo -n"   # never wait for a password prompt (CI has no terminal)
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

"$PYTHON" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
PY

if [ ! -x "$VENV/bin/python" ]; then
  step "Creating the virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
step "Installing Python packages from $REQS"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQS" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)

if [ "${SKIP_COMPILE_MESSAGES:-0}" != "1" ]; then
  step "Compiling translations"
  DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-setup-only} "$VENV/bin/python" manage.py compilemessages -v0 --ignore "$VENV"
fi
echo "Setup done."
