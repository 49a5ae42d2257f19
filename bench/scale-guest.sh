#!/usr/bin/env bash
# Scenario "scale" with netem faults, in the qemu guest: Debian's kernel has
# netem, the host's has not (shared/kernel-vm.md). Boots one guest, runs a
# daemon there as bench/run.sh does, and prints the scenario's section.
#   sudo bench/scale-guest.sh [FAULTS [SECONDS REPS]]   (BUILD_DIR: default build)
# bench/run.sh --guest appends it to its report.
set -euo pipefail
cd "$(dirname "$0")/.."
faults=${1:-10000} seconds=${2:-3} reps=${3:-3}
if [[ $(id -u) != 0 ]]; then
  echo "scale-guest: needs root (qemu, namespaces)" >&2
  exit 77
fi
out=$(mktemp -d /tmp/chaosnet-scale-guest.XXXXXX)
trap 'rm -rf "$out"' EXIT
# 10,000 netem qdiscs and their classes and filters need a few hundred MiB.
CHAOSNET_BENCH_SCALE_KIND=delay CHAOSNET_BENCH_SCALE_FAULTS=$faults \
  CHAOSNET_BENCH_SCALE_RUNS="$seconds $reps" \
  scripts/vm/run-in-guest.sh --timeout 1800 --mem 3072 --out "$out" -- \
  bench/run.sh --only scale --out "$out/scale.md" >"$out/console.log" 2>&1 || {
  echo "scale-guest: the guest run failed; its console:" >&2
  tail -40 "$out/console.log" >&2
  exit 1
}
# The section alone: run.sh's header describes the host.
sed -n '/^### /,$p' "$out/scale.md"
