#!/usr/bin/env bash
# What a user at a shell does, on a kernel with netem: start chaosnetd, run
#   chaosnetctl delay cn0 100ms --ttl 12s
# and watch the RTT rise by ~100 ms, then fall back once the lease expires and
# the qdisc is gone, without anyone doing anything. The lease outlasts the
# measurement by far: under emulation on a loaded machine each process start
# takes up to seconds, and a 3 s lease once ended before its pings ran.
# Exits 77 without netem (a failure in the guest suite).
set -euo pipefail

bin=${CHAOSNET_BIN_DIR:?set by the guest test runner}
work=$(mktemp -d)
# shellcheck disable=SC2317  # called from lib.sh's exit trap
on_exit() {
  stop_daemon
  rm -rf "$work"
}
# shellcheck source=tests/guest/lib.sh
source "$(dirname "$0")/lib.sh"
pair_namespaces "cncli$$" cn0 cn1 10.78.0

start_daemon --in "$ns_a"
require_netem

rtt() { ip netns exec "$ns_a" ping -n -q -c "$1" -i 0.2 10.78.0.2 | sed -nE 's|^rtt [^=]*= [0-9.]+/([0-9.]+)/.*|\1|p'; }

base=$(rtt 5)
out=$(ctl delay cn0 100ms --ttl 12s)
echo "$out"
grep -qE '^fault [0-9a-f]{12} applied: delay 100ms on cn0, expires .*\(in 12s\)' <<<"$out" \
  || { echo "FAIL: unexpected create output"; fail=1; }
id=$(sed -nE 's/^fault ([0-9a-f]{12}) .*/\1/p' <<<"$out")
ip netns exec "$ns_a" tc qdisc show dev cn0 | grep -q "netem 1001: parent ca00:1" \
  || { echo "FAIL: no netem leaf after create"; fail=1; }
with=$(rtt 5)
check "RTT with 100ms delay minus baseline ($base ms)" \
  "$(awk -v a="$with" -v b="$base" 'BEGIN { print a - b }')" 90 160

# Expiry: poll for the end of the lease instead of sleeping a fixed time.
for _ in $(seq 300); do
  ctl -o json get "$id" | grep -q '"state":"FAULT_STATE_EXPIRED"' && break
  sleep 0.1
done
ctl get "$id" | grep -qi expired || { echo "FAIL: lease did not expire"; fail=1; }
if ip netns exec "$ns_a" tc qdisc show dev cn0 | grep -q ca00:; then
  echo "FAIL: qdisc still present after expiry"; fail=1
fi
after=$(rtt 5)
check "RTT after expiry minus baseline" "$(awk -v a="$after" -v b="$base" 'BEGIN { print a - b }')" -50 30
exit $fail
