#!/usr/bin/env bash
# The Python client on a kernel with netem (tests/python, marker `netem`):
# the Chaos Toolkit example experiments (client/python/examples) run end to
# end through the activity functions: a 5 s delay with its rollback, and a
# partition of one TCP flow (api -> postgres) with its rollback.
set -euo pipefail
# shellcheck source=tests/guest/python-lib.sh
source "$(dirname "$0")/python-lib.sh"
run_python_netem_tests test_chaostoolkit.py
