#!/usr/bin/env bash
# The Python client on a kernel with netem (tests/python, marker `netem`):
# a `with client.delay(...)` block raises the RTT between two namespaces and
# leaving it restores it; a SIGKILLed holder is rolled back (timed); a scoped
# partition used as a decorator cuts traffic only during the call.
set -euo pipefail
build=${CHAOSNET_BUILD_DIR:?set by the guest test runner}
source_dir=${CHAOSNET_SOURCE_DIR:?set by the guest test runner}
export PYTHONPATH=$build/python:$build/tests/python/proto
export PYTHONDONTWRITEBYTECODE=1
# Here a missing netem is a failure, not a skip.
export CHAOSNET_REQUIRE_NETEM=1
cd "$source_dir/tests/python"
# faulthandler: a test stuck for 2 minutes prints every thread's stack.
exec /usr/bin/python3 -m pytest -p no:cacheprovider -q -rs -s -m netem \
  -o faulthandler_timeout=120 test_netem.py
