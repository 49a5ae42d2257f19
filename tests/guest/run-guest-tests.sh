#!/usr/bin/env bash
# Host entry point for the tests that need a real Debian kernel (netem): boots
# ONE guest (scripts/vm/run-in-guest.sh) and runs every test in it.
#   tests/guest/run-guest-tests.sh [options] [BUILD_DIR [TEST...]]
# BUILD_DIR defaults to $BUILD_DIR or build. Without TEST arguments it runs
#   - every executable directly under BUILD_DIR/tests whose name matches
#     --pattern (a bash extglob, default: *netem*|*netlink*|*kernel*|*guest*;
#     env CHAOSNET_GUEST_PATTERN), e.g. gtest binaries whose netem cases
#     GTEST_SKIP on the host kernel and so run for real here;
#   - every tests/guest/*.test.sh (exit 0 pass, else fail).
# A skip fails here unless tests/guest/allowed-skips.txt allows it, and so
# does a kernel without a module the tests need (guest-suite.sh).
# Options: --timeout SECONDS (whole guest, default 3600), --test-timeout
# SECONDS (each test, default 600), --pattern GLOB. Wide on purpose: on a
# shared machine at load 12 the suite took 23 min, one test over 280 s.
# Tests get CHAOSNET_BIN_DIR, CHAOSNET_BUILD_DIR, CHAOSNET_SOURCE_DIR and
# CHAOSNET_TEST_OUT (a writable directory kept on the host afterwards);
# outputs and results.txt land in BUILD_DIR/guest-results. Source and build
# directories may be anywhere, /tmp too: run-in-guest.sh --share makes them
# visible in the guest at the same paths.
# Prints each test's verdict and case counts, then "guest: N passed, M failed,
# K skipped; cases: ..." (tally-results.sh); exits non-zero if any failed or
# the guest did not finish.
set -euo pipefail
shopt -s extglob nullglob

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
timeout=3600 test_timeout=600
pattern=${CHAOSNET_GUEST_PATTERN:-'*netem*|*netlink*|*kernel*|*guest*'}

while (( $# )); do
  case $1 in
    --timeout) timeout=${2:?}; shift 2 ;;
    --test-timeout) test_timeout=${2:?}; shift 2 ;;
    --pattern) pattern=${2:?}; shift 2 ;;
    --) shift; break ;;
    -*) echo "run-guest-tests: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
build_dir=${1:-${BUILD_DIR:-build}}
(( $# )) && shift
# Relative to the current directory, else to the source tree.
[[ $build_dir == /* || -d $build_dir ]] || build_dir=$source_dir/$build_dir
[[ -d $build_dir ]] || { echo "run-guest-tests: no build directory $build_dir" >&2; exit 2; }
build_dir=$(cd "$build_dir" && pwd -P)

tests=()
if (( $# )); then
  for t in "$@"; do
    [[ -e $t ]] || { echo "run-guest-tests: no such test: $t" >&2; exit 2; }
    tests+=("$(cd "$(dirname "$t")" && pwd -P)/$(basename "$t")")
  done
else
  for t in "$build_dir"/tests/*; do
    name=$(basename "$t")
    # shellcheck disable=SC2053  # the pattern is a glob on purpose
    [[ -f $t && -x $t && $name == @($pattern) ]] && tests+=("$t")
  done
  tests+=("$source_dir"/tests/guest/*.test.sh)
fi
if (( ${#tests[@]} == 0 )); then
  echo "run-guest-tests: no guest tests found in $build_dir/tests or tests/guest" >&2
  exit 2
fi

results=$build_dir/guest-results
rm -rf "$results"
mkdir -p "$results"
echo "run-guest-tests: ${#tests[@]} test(s) in one guest: ${tests[*]##*/}"

export CHAOSNET_GUEST_RESULTS=$results
export CHAOSNET_GUEST_TEST_TIMEOUT=$test_timeout
export CHAOSNET_BIN_DIR=$build_dir/bin
export CHAOSNET_BUILD_DIR=$build_dir
export CHAOSNET_SOURCE_DIR=$source_dir
export CHAOSNET_VM_CACHE=${CHAOSNET_VM_CACHE:-$build_dir/vm}

guest_status=0
(cd "$source_dir" && scripts/vm/run-in-guest.sh --timeout "$timeout" --out "$results" \
  --share "$source_dir" --share "$build_dir" -- \
  "$source_dir/tests/guest/guest-suite.sh" "${tests[@]}") || guest_status=$?

# Count from results.txt on the host, not from the guest's own summary: a
# test that never reported (guest killed, timeout) counts as failed.
echo
echo "run-guest-tests: results (guest exit $guest_status)"
tally_status=0
"$source_dir/tests/guest/tally-results.sh" "$results" "${tests[@]##*/}" || tally_status=$?
(( tally_status == 0 && (guest_status == 0 || guest_status == 1) ))
