# Shared by the guest's Python tests (sourced, not run): runs pytest over the
# given files of tests/python, only their `netem` tests, where a missing netem
# fails instead of skipping.
run_python_netem_tests() {
  local build=${CHAOSNET_BUILD_DIR:?set by the guest test runner}
  local source_dir=${CHAOSNET_SOURCE_DIR:?set by the guest test runner}
  export PYTHONPATH=$build/python:$build/tests/python/proto
  export PYTHONDONTWRITEBYTECODE=1
  export CHAOSNET_REQUIRE_NETEM=1
  cd "$source_dir/tests/python" || return 2
  # faulthandler: a test stuck for 2 minutes prints every thread's stack.
  exec /usr/bin/python3 -m pytest -p no:cacheprovider -q -rs -s -m netem \
    -o faulthandler_timeout=120 "$@"
}
