#!/usr/bin/env bash
# The Python client on a kernel with netem (tests/python, marker `netem`):
# a `with client.delay(...)` block raises the RTT between two namespaces and
# leaving it restores it; a SIGKILLed holder is rolled back (timed); a scoped
# partition used as a decorator cuts traffic only during the call.
set -euo pipefail
# shellcheck source=tests/guest/python-lib.sh
source "$(dirname "$0")/python-lib.sh"
run_python_netem_tests test_netem.py
