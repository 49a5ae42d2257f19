#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
#   0. the formatting check (scripts/check-format.sh);
#   1. on the host: unit tests, API tests against real daemons, and kernel
#      tests in throwaway network namespaces (ctest);
#   2. in a qemu guest booting Debian's own kernel (it has netem, the host's
#      kernel has not): the same test binaries, whose netem cases run for real,
#      plus end-to-end tests with real traffic; a missing module or a skip
#      there fails (tests/guest/run-guest-tests.sh);
#   3. the libFuzzer targets of fuzz/, built with clang, for a bounded number
#      of inputs each (scripts/fuzz.sh; FUZZ_RUNS sets how many).
# Must run as root (namespaces, qdiscs). SKIP_GUEST=1 skips step 2,
# SKIP_FUZZ=1 step 3. Works from a checkout anywhere, /tmp included (the guest
# gets the source and build directories shared in).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}

scripts/install-deps.sh --test
format_failed=0
scripts/check-format.sh || format_failed=1
start=$(date +%s)
scripts/build.sh
echo "test: build took $(( $(date +%s) - start ))s"

host_status=0
(cd "$build_dir" && ctest --output-on-failure -j"$(nproc)" --timeout 300) | tee "$build_dir/ctest.log" || host_status=$?
host_line=$(grep -E "tests passed, [0-9]+ tests failed out of" "$build_dir/ctest.log" | tail -1 || true)
host_total=$(sed -nE 's/.* out of ([0-9]+).*/\1/p' <<<"$host_line")
host_failed=$(sed -nE 's/.* ([0-9]+) tests failed.*/\1/p' <<<"$host_line")
host_total=${host_total:-0}; host_failed=${host_failed:-1}

guest_passed=0; guest_failed=0; guest_status=0; guest_line="guest: skipped"
if [[ "${SKIP_GUEST:-0}" != 1 ]]; then
  tests/guest/run-guest-tests.sh "$build_dir" | tee "$build_dir/guest.log" || guest_status=$?
  guest_line=$(grep -E "^guest: [0-9]+ passed, [0-9]+ failed" "$build_dir/guest.log" | tail -1 || true)
  guest_passed=$(sed -nE 's/^guest: ([0-9]+) passed.*/\1/p' <<<"$guest_line")
  guest_failed=$(sed -nE 's/^guest: [0-9]+ passed, ([0-9]+) failed.*/\1/p' <<<"$guest_line")
  guest_passed=${guest_passed:-0}; guest_failed=${guest_failed:-1}
  (( guest_status == 0 )) || (( guest_failed > 0 )) || guest_failed=1
fi

fuzz_failed=0 fuzz_line="fuzz: skipped"
if [[ "${SKIP_FUZZ:-0}" != 1 ]]; then
  scripts/fuzz.sh | tee "$build_dir/fuzz.log" || fuzz_failed=1
  fuzz_line=$(tail -1 "$build_dir/fuzz.log")
  (( fuzz_failed == 0 )) || fuzz_line="fuzz: FAILED (logs in ${FUZZ_BUILD_DIR:-build-fuzz}/fuzz-logs)"
fi

passed=$(( host_total - host_failed + guest_passed ))
failed=$(( host_failed + guest_failed + fuzz_failed + format_failed ))
echo
echo "host: $host_line"
echo "${guest_line:-guest: no summary (the guest run did not finish)}"
echo "$fuzz_line"
echo "tests: $passed passed, $failed failed"
(( host_status == 0 && failed == 0 ))
