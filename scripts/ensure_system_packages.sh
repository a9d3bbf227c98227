#!/usr/bin/env bash
# Make sure the Debian packages the tests drive are installed:
#   scripts/ensure_system_packages.sh WHAT=PACKAGE [WHAT=PACKAGE ...]
# WHAT is a command, or an absolute path for packages with no command (fonts), e.g.
# chromium=chromium chromedriver=chromium-driver. Installs what is missing with
# apt-get (as root, or through sudo); when that is not possible it fails and says what to
# install. It never lets a test be skipped silently.
set -euo pipefail
present() { if [[ $1 == /* ]]; then [ -e "$1" ]; else command -v "$1" >/dev/null 2>&1; fi; }
missing_pkgs=()
for pair in "$@"; do
  cmd=${pair%%=*} pkg=${pair#*=}
  present "$cmd" || missing_pkgs+=("$pkg")
done
[ ${#missing_pkgs[@]} -eq 0 ] && exit 0

echo "==> Installing system packages the tests need: ${missing_pkgs[*]} (apt-get; 1-3 minutes)"
if [ "$(id -u)" -eq 0 ]; then sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"
else
  echo "ERROR: the tests need these Debian packages: ${missing_pkgs[*]}" >&2
  echo "       Install them (sudo apt-get install -y ${missing_pkgs[*]}) and run make again." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ERROR: no apt-get here; install ${missing_pkgs[*]} with this system's package manager." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Install from the package lists as they are; refresh them only when that fails.
if ! $sudo apt-get install -y -q "${missing_pkgs[@]}" >/tmp/apt-install.log 2>&1; then
  $sudo apt-get update -q >/tmp/apt-update.log 2>&1 || true
  if ! $sudo apt-get install -y -q "${missing_pkgs[@]}" >/tmp/apt-install.log 2>&1; then
    tail -20 /tmp/apt-install.log >&2
    echo "ERROR: could not install ${missing_pkgs[*]} (log above)." >&2
    exit 1
  fi
fi
for pair in "$@"; do
  cmd=${pair%%=*}
  present "$cmd" || { echo "ERROR: $cmd still missing after install" >&2; exit 1; }
done
echo "==> Installed: ${missing_pkgs[*]}"
