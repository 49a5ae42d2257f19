# Shared by the guest's Python tests (sourced, not run): runs pytest over the
# given files of tests/python, only their `netem` tests, where a missing netem
# fails instead of skipping. Each pytest case is counted on its own, as a
# gtest binary's are: pytest's JUnit report becomes $CHAOSNET_TEST_OUT/cases.txt
# (junit_cases.py), which guest-suite.sh reads, so a skipped case fails the run
# unless allowed-skips.txt names it.
python_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# run_pytest_counted PYTEST-ARGS...: pytest's exit status; its cases in
# $CHAOSNET_TEST_OUT/cases.txt, or no such file when it left no readable
# report (then the suite counts the test by its exit status alone).
run_pytest_counted() {
  local out=${CHAOSNET_TEST_OUT:?set by guest-suite.sh} status=0
  rm -f "$out/cases.txt" "$out/pytest.xml"
  /usr/bin/python3 -m pytest -p no:cacheprovider -q -rs --junitxml="$out/pytest.xml" "$@" ||
    status=$?
  if ! /usr/bin/python3 "$python_lib_dir/junit_cases.py" "$out/pytest.xml" >"$out/cases.txt"; then
    rm -f "$out/cases.txt"
    (( status )) || status=2
  fi
  return "$status"
}

run_python_netem_tests() {
  local build=${CHAOSNET_BUILD_DIR:?set by the guest test runner}
  local source_dir=${CHAOSNET_SOURCE_DIR:?set by the guest test runner}
  export PYTHONPATH=$build/python:$build/tests/python/proto
  export PYTHONDONTWRITEBYTECODE=1
  export CHAOSNET_REQUIRE_NETEM=1
  cd "$source_dir/tests/python" || return 2
  # faulthandler: a test stuck for 2 minutes prints every thread's stack.
  run_pytest_counted -s -m netem -o faulthandler_timeout=120 "$@"
}
