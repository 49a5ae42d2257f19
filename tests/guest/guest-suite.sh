#!/usr/bin/env bash
# Runs inside the guest (started by run-guest-tests.sh): each test in turn,
# under a header, with a per-test timeout. Appends "PASS|FAIL|SKIP NAME" to
# $CHAOSNET_GUEST_RESULTS/results.txt as each one ends, so the host can tell
# what finished even if the guest is killed, and keeps each test's output in
# $CHAOSNET_GUEST_RESULTS/NAME.log.
#   guest-suite.sh TEST...    (gtest binaries or *.test.sh files)
# A shell test exits 0 to pass, 77 to skip (automake's convention), else fails.
set -uo pipefail

results=${CHAOSNET_GUEST_RESULTS:?}
per_test=${CHAOSNET_GUEST_TEST_TIMEOUT:-300}
total=$# index=0 passed=0 failed=0 skipped=0

for test in "$@"; do
  index=$(( index + 1 ))
  name=$(basename "$test")
  echo
  echo "===== guest test [$index/$total] $name ====="
  start=$(date +%s%N)
  export CHAOSNET_TEST_OUT=$results/$name.d
  mkdir -p "$CHAOSNET_TEST_OUT"
  case $test in
    *.sh) cmd=(bash "$test") ;;
    *) cmd=("$test") ;;
  esac
  # -k: a test that ignores SIGTERM still ends, and the next one runs.
  timeout -k 10 "$per_test" "${cmd[@]}" </dev/null 2>&1 | tee "$results/$name.log"
  status=${PIPESTATUS[0]}
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  case $status in
    0) verdict=PASS; passed=$(( passed + 1 )) ;;
    77) verdict=SKIP; skipped=$(( skipped + 1 )) ;;
    124|137) verdict=FAIL; failed=$(( failed + 1 ))
       echo "guest test $name: TIMEOUT after ${per_test}s" ;;
    *) verdict=FAIL; failed=$(( failed + 1 )) ;;
  esac
  echo "$verdict $name" >>"$results/results.txt"
  echo "===== $verdict $name (exit $status, $(( ms / 1000 )).$(( ms % 1000 / 100 ))s) ====="
done

echo
echo "guest-suite: $passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
