#!/usr/bin/env bash
# Set up keyproj on a fresh Debian machine (as root): system packages, a venv in .venv,
# the package with its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # CJK fonts for the reports, Pango for WeasyPrint, poppler for looking at PDFs
  apt-get install -y -qq fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# the package's bytecode, so that each run loads it instead of compiling it again (where
# PYTHONDONTWRITEBYTECODE is set, Python reads bytecode but never writes it)
.venv/bin/python -m compileall -q pipeline
.venv/bin/keyproj doctor
