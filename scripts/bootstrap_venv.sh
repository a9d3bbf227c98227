#!/usr/bin/env bash
# Create .venv (Python 3.10) and install the pinned dependencies.
#   scripts/bootstrap_venv.sh runtime   -> requirements.txt
#   scripts/bootstrap_venv.sh dev       -> requirements-dev.txt (tests and linters)
# Every version comes from constraints.txt, so a fresh install next month resolves the same
# set. pip's download cache (~/.cache/pip) makes the second install take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-runtime}
case "$kind" in
  runtime) req=requirements.txt ;;
  dev) req=requirements-dev.txt ;;
  *) echo "usage: $0 runtime|dev" >&2; exit 2 ;;
esac

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  py=$(scripts/find_python310.sh)
  echo "==> Creating .venv with $py"
  rm -rf .venv
  "$py" -m venv .venv
fi

pin() { grep -iE "^$1==" constraints.txt; }
if [ "$kind" = runtime ]; then
  echo "==> Installing $req into .venv (the first run downloads ~2.7 GB: about 3-5 minutes)"
else
  echo "==> Installing $req into .venv (test and lint tools)"
fi
.venv/bin/python -m pip install --disable-pip-version-check -q "$(pin pip)" "$(pin setuptools)" "$(pin wheel)"
.venv/bin/python -m pip install --disable-pip-version-check --progress-bar off \
  -r "$req" -c constraints.txt
.venv/bin/python -m pip check
touch ".venv/.installed-$kind"
echo "==> .venv ready ($kind)"
