#!/usr/bin/env bash
# Host side of the guest suite: reads RESULTS_DIR/results.txt, which
# guest-suite.sh appends to as each test ends, and prints each test's verdict
# with how many of its cases ran, passed, skipped and failed, then the totals:
#   guest: N passed, M failed, K skipped; cases: R ran, P passed, S skipped (A allowed), F failed
# A test that never reported (guest killed, timeout, crash) counts as failed,
# and so does a kernel that lacked a module the tests need (the pseudo-test
# "kernel-modules", which guest-suite.sh reports first).
#   tests/guest/tally-results.sh RESULTS_DIR TEST_NAME...
# Exit status 0 only when nothing failed.
set -euo pipefail

results=${1:?usage: tally-results.sh RESULTS_DIR TEST_NAME...}
shift
declare -A verdict=() counts=()
if [[ -r $results/results.txt ]]; then
  while read -r v name rest; do
    verdict[$name]=$v
    counts[$name]=$rest
  done <"$results/results.txt"
fi

passed=0 failed=0 skipped=0
declare -A total=([ran]=0 [passed]=0 [skipped]=0 [allowed]=0 [failed]=0)
case ${verdict[kernel-modules]:-} in
  PASS) echo "  PASS kernel-modules: every module the tests need is there" ;;
  FAIL) failed=$(( failed + 1 )); echo "  FAIL kernel-modules: a module the tests need is missing" ;;
  *) failed=$(( failed + 1 )); echo "  DID NOT FINISH kernel-modules (the module check never reported)" ;;
esac
for name in "$@"; do
  v=${verdict[$name]:-}
  if [[ -z $v ]]; then
    failed=$(( failed + 1 ))
    echo "  DID NOT FINISH $name"
    continue
  fi
  declare -A c=([ran]=0 [passed]=0 [skipped]=0 [allowed]=0 [failed]=0)
  for kv in ${counts[$name]}; do
    [[ $kv =~ ^(ran|passed|skipped|allowed|failed)=([0-9]+)$ ]] || continue
    c[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    total[${BASH_REMATCH[1]}]=$(( total[${BASH_REMATCH[1]}] + BASH_REMATCH[2] ))
  done
  case $v in
    PASS) passed=$(( passed + 1 )) ;;
    SKIP) skipped=$(( skipped + 1 )) ;;
    *) failed=$(( failed + 1 )); v=FAIL ;;
  esac
  printf '  %-4s %s: %d ran, %d passed, %d skipped (%d allowed), %d failed\n' "$v" "$name" \
    "${c[ran]}" "${c[passed]}" "${c[skipped]}" "${c[allowed]}" "${c[failed]}"
done
echo "guest: $passed passed, $failed failed, $skipped skipped;" \
  "cases: ${total[ran]} ran, ${total[passed]} passed, ${total[skipped]} skipped" \
  "(${total[allowed]} allowed), ${total[failed]} failed"
(( failed == 0 ))
