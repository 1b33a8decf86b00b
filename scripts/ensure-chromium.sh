#!/usr/bin/env bash
# The revenue page's browser test (test/e2e/revenue-page.e2e.ts) drives Debian's Chromium at /usr/bin/chromium with
# playwright-core. Installs it when missing and this runs as root with apt-get (fresh CI machines); otherwise explains.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser test (apt-get, one time)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || {
    apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null
  }
  [ -x /usr/bin/chromium ] && exit 0
fi
echo "The browser test needs Chromium at /usr/bin/chromium: run 'apt-get install chromium' (Debian/Ubuntu) as root." >&2
exit 1
