#!/usr/bin/env bash
# GNU gettext (msgfmt) compiles the translation catalogues. Quiet and idempotent.
set -euo pipefail
if command -v msgfmt >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "gettext is missing: run 'sudo apt-get install -y gettext'." >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends gettext >/dev/null
