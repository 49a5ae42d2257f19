#!/usr/bin/env bash
# The guest harness's own test, on the host (ctest guest_harness): runs
# guest-suite.sh and then tally-results.sh, as run-guest-tests.sh does in and
# after the guest, over stand-ins whose cases pass, skip, fail or crash, and
# checks each verdict and count. Above all: a skipped case, a shell test
# exiting 77, a binary that ran nothing and a missing kernel module each FAIL
# the run, unless allowed-skips.txt allows that skip.
#   tests/guest/check-harness.sh FAKE_GTEST_BINARY   (fake_gtest.cc)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fake=${1:?usage: check-harness.sh FAKE_GTEST_BINARY}
[[ -x $fake ]] || { echo "check-harness: $fake is not executable" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Shell tests that pass, skip (77) and fail; the fake binary under the name
# the allow-lists below use.
printf '#!/bin/bash\nexit 0\n' >"$work/pass.test.sh"
printf '#!/bin/bash\necho "SKIP: no netem"\nexit 77\n' >"$work/skip.test.sh"
printf '#!/bin/bash\nexit 3\n' >"$work/fail.test.sh"
cp "$fake" "$work/fake_gtest"
fake=$work/fake_gtest
printf 'fake_gtest FakeNetem.*\n' >"$work/allow-fake"
# A shell test that lists its own cases (cases.txt), and the Python tests'
# real path: pytest through python-lib.sh, its JUnit report read by
# junit_cases.py. FAKE_PYTEST=fail makes one pytest case fail.
cat >"$work/listed.test.sh" <<'SH'
#!/bin/bash
printf 'passed a.one\nskipped a.two\npassed a.three\n' >"$CHAOSNET_TEST_OUT/cases.txt"
SH
mkdir "$work/py"
cat >"$work/py/test_cases.py" <<'PY'
import os
import pytest
def test_passes():
    pass
def test_skips():
    pytest.skip("no netem")
@pytest.mark.parametrize("n", [1, 2])
def test_maybe_fails(n):
    assert os.environ.get("FAKE_PYTEST") != "fail" or n == 1
PY
printf '#!/bin/bash\nsource %q\ncd %q && run_pytest_counted test_cases.py\n' \
  "$here/python-lib.sh" "$work/py" >"$work/pytest.test.sh"
printf 'listed.test.sh a.two\n' >"$work/allow-listed"
printf 'pytest.test.sh test_cases.test_skip*\n' >"$work/allow-pytest"
printf '# a comment\nskip.test.sh *\n' >"$work/allow-shell"
: >"$work/allow-none"

# In the guest, guest-run.sh names the modules it loaded; here, one that
# this host surely has (/sys/module lists built-in modules with parameters).
present=$(find /sys/module -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | head -1)
[[ -n $present ]] || { echo "check-harness: /sys/module is empty" >&2; exit 2; }
export CHAOSNET_VM_MODULES=$present
export CHAOSNET_GUEST_ALLOWED_SKIPS=$work/allow-none
unset GTEST_FILTER FAKE_GTEST

n=0 failures=0
# expect PASS|FAIL TEXT WHAT -- TEST...: runs the suite on the tests (with the
# environment the caller put before `expect`) and the tally on their names plus
# $ALSO_EXPECT; the verdict of both must be the one wanted, and the tally must
# print TEXT.
expect() {
  local want=$1 text=$2 what=$3
  shift 4
  local results=$work/run$(( ++n )) suite_status=0 tally_status=0 got
  mkdir -p "$results"
  CHAOSNET_GUEST_RESULTS=$results "$here/guest-suite.sh" "$@" >"$results/suite.out" 2>&1 ||
    suite_status=$?
  # shellcheck disable=SC2086  # ALSO_EXPECT: extra names, split on purpose
  "$here/tally-results.sh" "$results" "${@##*/}" ${ALSO_EXPECT:-} >"$results/tally.out" 2>&1 ||
    tally_status=$?
  got=PASS
  (( tally_status == 0 )) || got=FAIL
  # The suite agrees, but for a test it never heard of (ALSO_EXPECT).
  if [[ $got == "$want" ]] && grep -qF -- "$text" "$results/tally.out" &&
      { [[ -n ${ALSO_EXPECT:-} ]] || (( (suite_status == 0) == (tally_status == 0) )); }; then
    echo "ok: $what: $got"
  else
    echo "FAIL: $what: wanted $want and \"$text\"; got $got (suite exit $suite_status)"
    sed 's/^/    tally: /' "$results/tally.out"
    tail -n 20 "$results/suite.out" | sed 's/^/    suite: /'
    failures=$(( failures + 1 ))
  fi
}

expect PASS "PASS fake_gtest: 3 ran, 3 passed, 0 skipped (0 allowed), 0 failed" \
  "every case passes" -- "$fake" "$work/pass.test.sh"
FAKE_GTEST=skip expect FAIL "FAIL fake_gtest: 3 ran, 2 passed, 1 skipped (0 allowed), 0 failed" \
  "a netem case skips" -- "$fake"
FAKE_GTEST=skip CHAOSNET_GUEST_ALLOWED_SKIPS=$work/allow-fake \
  expect PASS "PASS fake_gtest: 3 ran, 2 passed, 1 skipped (1 allowed), 0 failed" \
  "a skip allowed by the list" -- "$fake"
FAKE_GTEST=skip CHAOSNET_GUEST_ALLOWED_SKIPS=$work/allow-shell \
  expect FAIL "1 skipped (0 allowed)" "an allow-list line for another test" -- "$fake"
FAKE_GTEST=fail expect FAIL "FAIL fake_gtest: 3 ran, 2 passed, 0 skipped (0 allowed), 1 failed" \
  "a case fails" -- "$fake"
FAKE_GTEST=crash expect FAIL "FAIL fake_gtest: 3 ran, 2 passed, 0 skipped (0 allowed), 0 failed" \
  "the binary crashes in a case" -- "$fake"
GTEST_FILTER='NoSuch.*' expect FAIL "FAIL fake_gtest: 0 ran" "the binary runs no case" -- "$fake"
expect FAIL "FAIL skip.test.sh: 1 ran, 0 passed, 1 skipped (0 allowed)" \
  "a shell test exits 77" -- "$work/pass.test.sh" "$work/skip.test.sh"
CHAOSNET_GUEST_ALLOWED_SKIPS=$work/allow-shell expect PASS "guest: 1 passed, 0 failed, 1 skipped" \
  "a shell test allowed to skip" -- "$work/pass.test.sh" "$work/skip.test.sh"
expect FAIL "FAIL fail.test.sh: 1 ran, 0 passed, 0 skipped (0 allowed), 1 failed" \
  "a shell test fails" -- "$work/fail.test.sh"
expect FAIL "FAIL listed.test.sh: 3 ran, 2 passed, 1 skipped (0 allowed), 0 failed" \
  "a shell test lists a skipped case" -- "$work/listed.test.sh"
CHAOSNET_GUEST_ALLOWED_SKIPS=$work/allow-listed \
  expect PASS "PASS listed.test.sh: 3 ran, 2 passed, 1 skipped (1 allowed), 0 failed" \
  "a listed case allowed to skip" -- "$work/listed.test.sh"
expect FAIL "FAIL pytest.test.sh: 4 ran, 3 passed, 1 skipped (0 allowed), 0 failed" \
  "a pytest case skips" -- "$work/pytest.test.sh"
CHAOSNET_GUEST_ALLOWED_SKIPS=$work/allow-pytest \
  expect PASS "PASS pytest.test.sh: 4 ran, 3 passed, 1 skipped (1 allowed), 0 failed" \
  "a pytest skip allowed by the list" -- "$work/pytest.test.sh"
FAKE_PYTEST=fail CHAOSNET_GUEST_ALLOWED_SKIPS=$work/allow-pytest \
  expect FAIL "FAIL pytest.test.sh: 4 ran, 2 passed, 1 skipped (1 allowed), 1 failed" \
  "a pytest case fails" -- "$work/pytest.test.sh"
CHAOSNET_VM_MODULES="$present sch_no_such_module" expect FAIL "FAIL kernel-modules" \
  "a module is missing, every test passes" -- "$fake" "$work/pass.test.sh"
CHAOSNET_VM_MODULES="" expect FAIL "FAIL kernel-modules" \
  "no module list: not started by the guest harness" -- "$work/pass.test.sh"
ALSO_EXPECT=ghost_test expect FAIL "DID NOT FINISH ghost_test" \
  "a test that never reported" -- "$work/pass.test.sh"
expect PASS "cases: 4 ran, 4 passed, 0 skipped (0 allowed), 0 failed" \
  "the totals add up" -- "$fake" "$work/pass.test.sh"

echo "check-harness: $n checks, $failures failed"
(( failures == 0 ))
