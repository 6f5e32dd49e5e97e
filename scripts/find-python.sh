#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa Open Source 3.6 supports Python 3.8 to 3.10).
# Looks at $PYTHON, then python3.10 on PATH, then pyenv's installs, then the usual system places.
set -u

works() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }

candidates=("${PYTHON:-}")
candidates+=("$(command -v python3.10 2>/dev/null || true)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for p in "$root"/versions/3.10.*/bin/python3.10; do candidates+=("$p"); done
fi
for p in "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  candidates+=("$p")
done

for c in "${candidates[@]}"; do
  if works "$c"; then
    echo "$c"
    exit 0
  fi
done

cat >&2 <<'MSG'
error: no Python 3.10 found. Rasa Open Source 3.6 runs on Python 3.8-3.10 only.
Install Python 3.10 (for example `pyenv install 3.10` or your system's python3.10 package),
or point to one with `make PYTHON=/path/to/python3.10 ...`.
MSG
exit 1
