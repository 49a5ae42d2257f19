#!/usr/bin/env bash
# Installs what is missing, builds, and runs chaosnetd in the foreground with its
# defaults (socket /run/chaosnetd/chaosnetd.sock, state /run/chaosnetd/state).
# Extra arguments go to chaosnetd, e.g. --default-ttl 1m.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec "${BUILD_DIR:-build}/bin/chaosnetd" "$@"
