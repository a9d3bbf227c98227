#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain how to get one and fail.
# Rasa Open Source 3.6 supports Python >= 3.8, < 3.11; this project is tested on 3.10.
set -euo pipefail

is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }

candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
candidates+=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  # The pyenv shim only resolves python3.10 when a .python-version names it, so look inside.
  for p in "$(pyenv root)"/versions/3.10.*/bin/python; do candidates+=("$p"); done
fi
candidates+=(/usr/local/bin/python3.10 /usr/bin/python3.10)

for c in "${candidates[@]}"; do
  if command -v "$c" >/dev/null 2>&1 && is_310 "$c"; then
    command -v "$c"
    exit 0
  fi
done

cat >&2 <<'MSG'
ERROR: no Python 3.10 interpreter found.
Rasa Open Source 3.6.21 needs Python 3.8-3.10 (this project is tested on 3.10).
Install one, then run make again, for example:
  pyenv install 3.10.13          (with pyenv)
  apt-get install python3.10     (Debian/Ubuntu releases that ship it)
Or point the Makefile at one:  make PYTHON310=/path/to/python3.10 ...
MSG
exit 1
