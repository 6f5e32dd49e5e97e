#!/usr/bin/env bash
# Installs Debian's chromium for the chat widget's browser tests (tests/web/), if it is missing.
# Quiet and quick when /usr/bin/chromium is already there. Playwright drives this browser: its own
# browser download (`playwright install`) is never used.
set -uo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

fail() {
  echo "install-browser: $*" >&2
  echo "install-browser: the widget browser tests (tests/web/) need Debian's chromium at $CHROMIUM." >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 ||
  fail "$CHROMIUM is missing and there is no apt-get here: install Chromium with this system's package manager."
[ "$(id -u)" -eq 0 ] ||
  fail "$CHROMIUM is missing and installing it needs root: run 'sudo apt-get install chromium'."

echo "install-browser: installing Debian's chromium with apt-get (a few minutes the first time)..."
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -q && apt-get install -y -q chromium; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "apt-get could not install chromium (see above)."
fi
[ -x "$CHROMIUM" ] || fail "apt-get finished but $CHROMIUM is still missing."
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null)"
