#!/usr/bin/env bash
# Scenario "scale" of bench/run.sh (issue 19): TCP throughput through one
# interface carrying many targeted rate faults, against the same interface
# with one fault, and the time to create them with `chaosnetctl apply --from`.
#   bench/scale.sh CHAOSNETCTL SERVER NETNS FAULTS SECONDS REPS
# A veth pair cnbs0 (in NETNS, where the daemon runs) / cnbs1 (in a namespace
# of its own, running iperf3 -s) carries the traffic: 10.250.0.1 -> .2. The
# faults are rate faults on cnbs0 to other hosts (10.251.x.y, spread over the
# last byte as addresses in a subnet are), so the traffic matches none of
# them; in the "peer last" case the last one added is to the peer itself at
# 100 Gbit/s, so the traffic walks to the end of its bucket (or, on a linear
# layout, of the whole chain) and through an htb class that does not limit it.
# CHAOSNET_BENCH_SCALE_KIND=delay makes them netem faults instead (1 ms of
# delay each, the peer's too), for a kernel with netem (the qemu guest:
# bench/scale-guest.sh).
# Prints a Markdown section; needs iperf3.
set -euo pipefail
ctl=$1 server=$2 ns=$3 faults=$4 seconds=$5 reps=$6
kind=${CHAOSNET_BENCH_SCALE_KIND:-rate}
[[ $kind == rate || $kind == delay ]] || { echo "scale: kind rate or delay, not $kind" >&2; exit 2; }
peer_ns=${ns}-peer
work=$(mktemp -d)
iperf_pid=
cleanup() {
  [[ -n $iperf_pid ]] && kill "$iperf_pid" 2>/dev/null && wait "$iperf_pid" 2>/dev/null || true
  "$ctl" --server "$server" revoke --all >/dev/null 2>&1 || true
  ip -n "$ns" link del cnbs0 2>/dev/null || true
  ip netns del "$peer_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

command -v iperf3 >/dev/null || { echo "scale: iperf3 is missing (scripts/install-deps.sh --test)" >&2; exit 1; }
ip netns add "$peer_ns"
ip -n "$peer_ns" link set lo up
ip -n "$ns" link add cnbs0 type veth peer name cnbs1 netns "$peer_ns"
ip -n "$ns" addr add 10.250.0.1/24 dev cnbs0
ip -n "$peer_ns" addr add 10.250.0.2/24 dev cnbs1
ip -n "$ns" link set cnbs0 up
ip -n "$peer_ns" link set cnbs1 up
ip netns exec "$peer_ns" iperf3 -s >/dev/null 2>&1 &
iperf_pid=$!
sleep 0.5

# JSON lines of CreateFaultRequest: n rate faults to other hosts, the last
# one to the peer when $2 is "peer".
fault_file() {
  local n=$1 last=$2 i
  for ((i = 0; i < n; i++)); do
    local dst="10.251.$((i / 256 % 256)).$((i % 256))" rate=10000000
    if ((i == n - 1)) && [[ $last == peer ]]; then dst=10.250.0.2 rate=100000000000; fi
    local what='"rate":{"bitsPerSecond":"'$rate'"}'
    [[ $kind == delay ]] && what='"delay":{"latency":"0.001s"}'
    printf '{"spec":{"interface":"cnbs0",%s,"match":{"dstCidr":"%s/32"}},"ttl":"3600s"}\n' \
      "$what" "$dst"
  done
}

# Median over $reps runs of iperf3 TCP, in Gbit/s.
throughput() {
  local r results=()
  # One run thrown away: the first after a change reads low (in the guest at
  # times half), as the caches and TCP's metrics for the peer settle.
  ip netns exec "$ns" iperf3 -c 10.250.0.2 -t 1 >/dev/null 2>&1 || true
  for ((r = 0; r < reps; r++)); do
    results+=("$(ip netns exec "$ns" iperf3 -c 10.250.0.2 -t "$seconds" -J 2>/dev/null |
      /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9)')")
  done
  printf '%s\n' "${results[@]}" | sort -g | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'
}

# Applies a file of faults, prints the seconds it took (the whole process).
apply_timed() {
  local start end
  start=$(date +%s.%N)
  "$ctl" --server "$server" --timeout 300s apply --from "$1" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l | xargs printf '%.2f'
}

revoke_all() { "$ctl" --server "$server" --timeout 300s revoke --all >/dev/null; }

declare -A gbit secs
for case in "1 other" "1 peer" "$faults other" "$faults peer"; do
  read -r n last <<<"$case"
  fault_file "$n" "$last" >"$work/faults.jsonl"
  secs[$n-$last]=$(apply_timed "$work/faults.jsonl")
  gbit[$n-$last]=$(throughput)
  revoke_all
done

ratio() { echo "100 * $1 / $2" | bc -l | xargs printf '%.0f%%'; }
echo "### 10. Throughput through one interface carrying $faults targeted faults"
echo
echo "iperf3 TCP, $reps runs of ${seconds} s each (median), 10.250.0.1 -> .2 through cnbs0's fault tree;"
if [[ $kind == delay ]]; then
  echo "faults are netem delay faults (1 ms each, the peer's too) to other /32 hosts, on kernel $(uname -r),"
else
  echo "faults are htb rate faults to other /32 hosts,"
fi
echo "created with one \`chaosnetctl apply --from\`."
echo
echo "| Faults on the interface | traffic | Gbit/s | vs one fault | created in |"
echo "|---|---|---:|---:|---:|"
echo "| 1 | matches none | ${gbit[1-other]} | baseline | ${secs[1-other]} s |"
echo "| $faults | matches none | ${gbit[$faults-other]} | **$(ratio "${gbit[$faults-other]}" "${gbit[1-other]}")** | ${secs[$faults-other]} s |"
echo "| 1 (the peer$([[ $kind == rate ]] && echo ", 100 Gbit/s")) | matches it | ${gbit[1-peer]} | baseline | ${secs[1-peer]} s |"
echo "| $faults (the peer's added last) | matches the last | ${gbit[$faults-peer]} | **$(ratio "${gbit[$faults-peer]}" "${gbit[1-peer]}")** | ${secs[$faults-peer]} s |"
echo
