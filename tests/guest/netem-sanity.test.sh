#!/usr/bin/env bash
# Documents the guest's fidelity with plain tc, independent of chaosnet's code:
# two namespaces joined by veth, then
#   - netem delay 100ms           -> ping average between 90 and 200 ms;
#   - netem loss 30%, 200 pings   -> measured loss between 15% and 45%
#     (binomial sd is ~3.2%, so this band is over 4 sd wide on each side).
# Exits 77 (skip) on a kernel without netem, e.g. the host's.
set -euo pipefail

# shellcheck source=tests/guest/lib.sh
source "$(dirname "$0")/lib.sh"
pair_namespaces "cnvm$$" va vb 10.77.0

# Baseline, which also resolves ARP: otherwise the first delayed ping waits for
# a delayed ARP exchange too and skews the average.
ip netns exec "$ns_a" ping -n -q -c 3 -i 0.2 10.77.0.2 | tail -1 | sed 's/^/no fault: /'

if ! ip netns exec "$ns_a" tc qdisc add dev va root netem delay 100ms 2>/dev/null; then
  echo "SKIP: this kernel ($(uname -r)) has no netem qdisc"
  exit 77
fi

out=$(ip netns exec "$ns_a" ping -n -q -c 10 -i 0.2 10.77.0.2)
echo "$out" | tail -2
avg=$(sed -nE 's|^rtt [^=]*= [0-9.]+/([0-9.]+)/.*|\1|p' <<<"$out")
check "delay 100ms: ping avg ms" "${avg:-none}" 90 200

ip netns exec "$ns_a" tc qdisc replace dev va root netem loss 30%
# -W 1: a lost reply ends the wait after a second, not ten.
out=$(ip netns exec "$ns_a" ping -n -q -c 200 -i 0.01 -W 1 10.77.0.2 || true)
echo "$out" | tail -2
loss=$(sed -nE 's/.* ([0-9.]+)% packet loss.*/\1/p' <<<"$out")
check "loss 30%: measured loss %" "${loss:-none}" 15 45

ip netns exec "$ns_a" tc -s qdisc show dev va | head -3
exit "$fail"
