#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang and runs each for a bounded
# number of inputs over a scratch copy of its seeds; exits non-zero on a crash.
#   FUZZ_BUILD_DIR  build dir (default build-fuzz)
#   FUZZ_RUNS       inputs per target (default 20000)
#   FUZZ_TARGETS    space-separated subset (default all)
#   FUZZ_SEED       libFuzzer's random seed (default: a new one each run)
#   FUZZ_JOBS       parallel compile jobs (default nproc)
# Needs clang and libclang-rt-14-dev (scripts/install-deps.sh --test).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${FUZZ_BUILD_DIR:-build-fuzz}
runs=${FUZZ_RUNS:-20000}
read -r -a targets <<<"${FUZZ_TARGETS:-duration_fuzz percent_fuzz rate_fuzz cidr_fuzz \
port_range_fuzz protected_rule_fuzz client_args_fuzz create_request_fuzz lease_codec_fuzz journal_fuzz}"

start=$(date +%s)
cmake -S fuzz -B "$build_dir" -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build_dir" -j"${FUZZ_JOBS:-$(nproc)}" >/dev/null
echo "fuzz: build took $(( $(date +%s) - start ))s"

# Inputs libFuzzer adds go to the scratch copy, never into fuzz/corpus/;
# crashing inputs are kept in the build dir for the CI log and for replay.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
artifacts="$build_dir/fuzz-artifacts"
logs="$build_dir/fuzz-logs"
mkdir -p "$artifacts" "$logs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
run_start=$(date +%s)
for target in "${targets[@]}"; do
  corpus="$scratch/$target"
  rm -rf "${artifacts:?}/$target"
  mkdir -p "$corpus" "$artifacts/$target"
  cp "$build_dir/seeds/$target"/* "$corpus"/
  log="$logs/$target.log"
  t0=$EPOCHREALTIME
  status=0
  "$build_dir/bin/$target" -runs="$runs" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    -artifact_prefix="$artifacts/$target/" -print_final_stats=1 "$corpus" >"$log" 2>&1 || status=$?
  t1=$EPOCHREALTIME
  # "Done N runs" on success; after a crash only the final stats say how far it got.
  done_runs=$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p; s/^stat::number_of_executed_units: *([0-9]+)/\1/p' \
    "$log" | tail -1)
  seed=$(sed -nE 's/^INFO: Seed: ([0-9]+).*/\1/p' "$log" | head -1)
  printf 'fuzz: %-22s %8s runs in %6.1fs (seed %s)' "$target" "${done_runs:-?}" \
    "$(awk "BEGIN { print $t1 - $t0 }")" "${seed:-?}"
  if (( status == 0 )); then
    echo
  else
    echo "  FAILED (exit $status)"
    failed+=("$target")
    tail -n 40 "$log" | sed 's/^/    /'
    echo "    reproduce: $build_dir/bin/$target $artifacts/$target/<crash file>"
  fi
done
echo "fuzz: runs took $(( $(date +%s) - run_start ))s"

if (( ${#failed[@]} > 0 )); then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, $runs runs each, no crash"
