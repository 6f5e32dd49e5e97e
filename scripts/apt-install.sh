#!/usr/bin/env bash
# Installs a Debian package the tests need, if the program it provides is missing:
#   scripts/apt-install.sh /usr/bin/chromium chromium "the widget's browser tests (tests/web/)"
#   scripts/apt-install.sh /usr/sbin/nginx nginx-light "the replica tests (tests/production/)"
# Quiet and quick when the program is already there. (Playwright drives Debian's chromium: its own
# browser download, `playwright install`, is never used.)
set -uo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 PROGRAM PACKAGE PURPOSE" >&2
  exit 2
fi
program=$1 package=$2 purpose=$3

if [ -x "$program" ]; then
  exit 0
fi

fail() {
  echo "apt-install: $*" >&2
  echo "apt-install: $purpose need(s) Debian's $package ($program)." >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 ||
  fail "$program is missing and there is no apt-get here: install $package with this system's package manager."
[ "$(id -u)" -eq 0 ] ||
  fail "$program is missing and installing it needs root: run 'sudo apt-get install $package'."

echo "apt-install: installing Debian's $package with apt-get..."
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get install -y -q --no-install-recommends "$package" || { apt-get update -q && apt-get install -y -q --no-install-recommends "$package"; }; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get could not install $package (see above)."
fi
[ -x "$program" ] || fail "apt-get finished but $program is still missing."
echo "apt-install: $package installed."
