#!/usr/bin/env bash
# Runs inside the guest (started by run-guest-tests.sh): checks that the kernel
# modules the tests need are there, then runs each test in turn, under a
# header, with a per-test timeout. Appends one line per verdict to
# $CHAOSNET_GUEST_RESULTS/results.txt as each one ends, so the host can tell
# what finished even if the guest is killed:
#   PASS|FAIL|SKIP NAME ran=N passed=N skipped=N allowed=N failed=N
# and keeps each test's output in $CHAOSNET_GUEST_RESULTS/NAME.log.
#   guest-suite.sh TEST...    (gtest binaries or *.test.sh files)
# A gtest binary's cases are counted from its output. A shell test is one case,
# unless it leaves $CHAOSNET_TEST_OUT/cases.txt, one line a case:
#   passed|failed|skipped NAME
# as the Python tests do (python-lib.sh); then those are its cases.
#
# This guest exists to run what the host kernel cannot, so a skip here means
# a test did not run where it must: it FAILS, unless allowed-skips.txt (or
# $CHAOSNET_GUEST_ALLOWED_SKIPS) names it. So do a missing module (checked
# first, as the pseudo-test "kernel-modules"), a gtest binary that ran no case
# and a shell test that exits 77.
set -uo pipefail

results=${CHAOSNET_GUEST_RESULTS:?}
per_test=${CHAOSNET_GUEST_TEST_TIMEOUT:-300}
allowed_file=${CHAOSNET_GUEST_ALLOWED_SKIPS:-$(dirname "$0")/allowed-skips.txt}
total=$# index=0 passed=0 failed=0 skipped=0
cases_ran=0 cases_passed=0 cases_skipped=0 cases_allowed=0 cases_failed=0

# allowed[NAME] holds the patterns of the cases NAME may skip, one per line.
declare -A allowed=()
if [[ -r $allowed_file ]]; then
  while read -r name pattern _; do
    [[ -z $name || $name == \#* || -z $pattern ]] && continue
    allowed[$name]+="$pattern"$'\n'
  done <"$allowed_file"
fi
may_skip() {  # NAME CASE
  local pattern
  while read -r pattern; do
    # shellcheck disable=SC2053  # a glob on purpose
    [[ -n $pattern && $2 == $pattern ]] && return 0
  done <<<"${allowed[$1]:-}"
  return 1
}

record() {  # VERDICT NAME RAN PASSED SKIPPED ALLOWED FAILED
  echo "$1 $2 ran=$3 passed=$4 skipped=$5 allowed=$6 failed=$7" >>"$results/results.txt"
}

# The modules guest-run.sh loads (CHAOSNET_VM_MODULES), looked up in the
# kernel's own view: loaded (/sys/module/NAME) or built in (modules.builtin).
# Bash only: every process start costs ~0.1 s in the guest.
check_modules() {
  local -a wanted missing=()
  read -r -a wanted <<<"${CHAOSNET_VM_MODULES:-}"
  echo "===== kernel modules the tests need: ${wanted[*]:-(none named)} ====="
  if (( ${#wanted[@]} == 0 )); then
    echo "FAIL: no module list (CHAOSNET_VM_MODULES); was this started by run-in-guest.sh?"
    record FAIL kernel-modules 0 0 0 0 0
    return
  fi
  local builtin="" m release
  release=$(</proc/sys/kernel/osrelease)
  [[ -r /lib/modules/$release/modules.builtin ]] && builtin=$'\n'$(<"/lib/modules/$release/modules.builtin")
  for m in "${wanted[@]}"; do
    [[ -d /sys/module/$m || $builtin == *"/$m.ko"$'\n'* || $builtin == *"/$m.ko" ]] && continue
    missing+=("$m")
  done
  if (( ${#missing[@]} )); then
    echo "FAIL: kernel $release lacks ${missing[*]}: the tests that need them cannot run here"
    record FAIL kernel-modules 0 0 0 0 0
  else
    echo "ok: all loaded or built in"
    record PASS kernel-modules 0 0 0 0 0
  fi
}

# Counts a gtest binary's cases from its per-case result lines (those end in
# "(N ms)"; the summary's lists do not), which exist even if it crashed half
# way. Prints "ran passed failed" then the skipped cases' names, one a line.
gtest_cases() {
  awk '
    /^\[ RUN      \] / { ran++ }
    /^\[       OK \] .* \([0-9]+ ms\)$/ { ok++ }
    /^\[  FAILED  \] .* \([0-9]+ ms\)$/ { bad++ }
    /^\[  SKIPPED \] .* \([0-9]+ ms\)$/ { skip[++n] = $4 }
    END { print ran + 0, ok + 0, bad + 0; for (i = 1; i <= n; i++) print skip[i] }' "$1"
}

# The same for a shell test's cases.txt; a line of any other form is a case
# that did not finish.
listed_cases() {
  awk '
    { ran++ }
    $1 == "passed" { ok++ }
    $1 == "failed" { bad++ }
    $1 == "skipped" { sub(/^skipped +/, ""); skip[++n] = $0 }
    END { print ran + 0, ok + 0, bad + 0; for (i = 1; i <= n; i++) print skip[i] }' "$1"
}

check_modules
for test in "$@"; do
  index=$(( index + 1 ))
  name=$(basename "$test")
  echo
  echo "===== guest test [$index/$total] $name ====="
  start=$(date +%s%N)
  export CHAOSNET_TEST_OUT=$results/$name.d
  mkdir -p "$CHAOSNET_TEST_OUT"
  rm -f "$CHAOSNET_TEST_OUT/cases.txt"
  log=$results/$name.log
  case $test in
    *.sh) cmd=(bash "$test") ;;
    # Flags fix the output the counts are read from, whatever GTEST_* says.
    *) cmd=("$test" --gtest_color=no --gtest_print_time=1) ;;
  esac
  # -k: a test that ignores SIGTERM still ends, and the next one runs.
  timeout -k 10 "$per_test" "${cmd[@]}" </dev/null 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  ms=$(( ($(date +%s%N) - start) / 1000000 ))

  verdict=PASS why=()
  ran=1 ok=0 bad=0 skips=() allowed_skips=0
  case $status in
    0) ;;
    124|137) why+=("TIMEOUT after ${per_test}s") ;;
    # A shell test that counts its own cases (cases.txt) skips them one by one.
    77) [[ $test == *.sh && ! -e $CHAOSNET_TEST_OUT/cases.txt ]] && skips=("$name") ||
      why+=("exit $status") ;;
    *) why+=("exit $status") ;;
  esac
  counts=""
  if [[ $test != *.sh ]]; then
    counts=$(gtest_cases "$log")
  elif [[ -r $CHAOSNET_TEST_OUT/cases.txt ]]; then
    counts=$(listed_cases "$CHAOSNET_TEST_OUT/cases.txt")
  elif (( status == 0 )); then
    ok=1
  elif (( status != 77 )); then
    bad=1
  fi
  if [[ -n $counts ]]; then
    read -r ran ok bad <<<"${counts%%$'\n'*}"
    [[ $counts == *$'\n'* ]] && mapfile -t skips <<<"${counts#*$'\n'}"
    (( ran > 0 )) || why+=("ran no test case")
    (( ran == ok + bad + ${#skips[@]} )) ||
      why+=("$(( ran - ok - bad - ${#skips[@]} )) case(s) never finished")
  fi
  for s in "${skips[@]}"; do
    if may_skip "$name" "$s"; then
      allowed_skips=$(( allowed_skips + 1 ))
    else
      why+=("skipped $s, which allowed-skips.txt does not allow here")
    fi
  done
  if (( ${#why[@]} )); then
    verdict=FAIL
  elif [[ $test == *.sh && $status == 77 ]]; then
    verdict=SKIP  # an allowed skip of a whole shell test
  fi
  case $verdict in
    PASS) passed=$(( passed + 1 )) ;;
    SKIP) skipped=$(( skipped + 1 )) ;;
    FAIL) failed=$(( failed + 1 )) ;;
  esac
  cases_ran=$(( cases_ran + ran )) cases_passed=$(( cases_passed + ok ))
  cases_skipped=$(( cases_skipped + ${#skips[@]} )) cases_allowed=$(( cases_allowed + allowed_skips ))
  cases_failed=$(( cases_failed + bad ))
  record "$verdict" "$name" "$ran" "$ok" "${#skips[@]}" "$allowed_skips" "$bad"
  for w in "${why[@]}"; do echo "guest test $name: $w"; done
  echo "===== $verdict $name (exit $status, $(( ms / 1000 )).$(( ms % 1000 / 100 ))s):" \
    "$ran ran, $ok passed, ${#skips[@]} skipped ($allowed_skips allowed), $bad failed ====="
done

echo
echo "guest-suite: $passed passed, $failed failed, $skipped skipped;" \
  "cases: $cases_ran ran, $cases_passed passed, $cases_skipped skipped ($cases_allowed allowed)," \
  "$cases_failed failed"
(( failed == 0 )) && grep -q '^PASS kernel-modules ' "$results/results.txt"
