#!/usr/bin/env bash
# Debian's Chromium for the browser tests (never `playwright install`). Quiet and idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "Chromium is missing: run 'sudo apt-get install -y chromium'." >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-noto-core >/dev/null
