#!/usr/bin/env bash
# Targeted faults against a real kernel with netem, through the CLI, with real
# traffic. chaosnetd runs in the guest's own namespace and reaches the test
# namespaces with --netns, the way it reaches a container. Covers: delay to one
# destination (IPv4 and IPv6) leaves another destination alone; two faults on
# one interface coexist and end independently; a TCP partition on one port;
# ingress delay through an IFB device; a protected port under a whole-interface
# partition; a foreign root qdisc is refused and untouched; counters grow with
# the matched traffic; a namespace deleted under a live fault ends it as LOST.
# Exits 77 without netem.
set -euo pipefail

bin=${CHAOSNET_BIN_DIR:?set by the guest test runner}
work=$(mktemp -d)
listeners=()
# shellcheck disable=SC2317  # called from lib.sh's exit trap
on_exit() {
  for p in "${listeners[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_daemon
  ip netns del "cntgt$$-c" 2>/dev/null || true
  [[ -f $work/daemon.log ]] && { echo "--- daemon log"; tail -n 40 "$work/daemon.log"; }
  rm -rf "$work"
}
# shellcheck source=tests/guest/lib.sh
source "$(dirname "$0")/lib.sh"
pair_namespaces "cntgt$$" cn0 cn1 10.79.0
# A second IPv4 and two IPv6 destinations behind the same interface.
ip -n "$ns_b" addr add 10.79.0.3/24 dev cn1
ip -n "$ns_a" addr add fd79::1/64 dev cn0 nodad
ip -n "$ns_b" addr add fd79::2/64 dev cn1 nodad
ip -n "$ns_b" addr add fd79::3/64 dev cn1 nodad

start_daemon
require_netem
A=(--netns "$ns_a")
# rtt ADDR: average RTT in ms over 5 probes from a; "" when nothing came back.
rtt() { ip netns exec "$ns_a" ping -n -q -c 5 -i 0.2 -W 2 "$1" | sed -nE 's|^rtt [^=]*= [0-9.]+/([0-9.]+)/.*|\1|p'; }
# loss ADDR COUNT: percent of COUNT pings lost.
loss() { ip netns exec "$ns_a" ping -n -q -c "$2" -i 0.01 -W 1 "$1" | sed -nE 's/.* ([0-9.]+)% packet loss.*/\1/p'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { print a - b }'; }
# tcp_connects PORT: a TCP connection from a to 10.79.0.2:PORT succeeds in 3s
# (bash's /dev/tcp: no interpreter to start, which is slow under emulation).
tcp_connects() {
  ip netns exec "$ns_a" timeout 3 bash -c "exec 3<>/dev/tcp/10.79.0.2/$1" 2>/dev/null
}
listen() {
  ip netns exec "$ns_b" python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', $1)); s.listen(64)
while True:
    c, _ = s.accept(); c.close()" &
  listeners+=($!)
}
listen 8080; listen 8081; listen 22
for port in 8080 8081 22; do
  for _ in $(seq 100); do tcp_connects "$port" && break; sleep 0.2; done
  tcp_connects "$port" || { echo "FAIL: listener on port $port never came up"; exit 1; }
done

base2=$(rtt 10.79.0.2) base3=$(rtt 10.79.0.3)
base62=$(rtt fd79::2) base63=$(rtt fd79::3)
echo "baselines: .2 $base2 ms, .3 $base3 ms, ::2 $base62 ms, ::3 $base63 ms"

echo "== delay to one IPv4 destination"
out=$(ctl delay cn0 100ms "${A[@]}" --dst 10.79.0.2 --ttl 2m)
echo "$out"
delay_id=$(id_of "$out")
check "RTT to the target, added" "$(minus "$(rtt 10.79.0.2)" "$base2")" 85 160
check "RTT to the other destination, added" "$(minus "$(rtt 10.79.0.3)" "$base3")" -20 20
ip netns exec "$ns_a" tc -s class show dev cn0
packets=$(ctl -o json get "$delay_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"].get("packets", 0))')
check "packets counted for the delay fault" "$packets" 5 1000

echo "== delay to one IPv6 destination"
out6=$(ctl delay cn0 100ms "${A[@]}" --dst fd79::2 --ttl 2m)
echo "$out6"
check "IPv6 RTT to the target, added" "$(minus "$(rtt fd79::2)" "$base62")" 85 160
check "IPv6 RTT to the other destination, added" "$(minus "$(rtt fd79::3)" "$base63")" -20 20
expect ctl revoke "$(id_of "$out6")" >/dev/null

echo "== a second fault on the same interface: loss 50% to .3"
out=$(ctl loss cn0 50% "${A[@]}" --dst 10.79.0.3 --ttl 2m)
echo "$out"
loss_id=$(id_of "$out")
check "loss to .3 (%)" "$(loss 10.79.0.3 300)" 30 70
check "RTT to .2 still delayed" "$(minus "$(rtt 10.79.0.2)" "$base2")" 85 160
echo "-- overlapping match is refused"
if ctl delay cn0 10ms "${A[@]}" --dst 10.79.0.0/24 --ttl 1m 2>"$work/err"; then
  echo "FAIL: an overlapping fault was accepted"; fail=1
else
  cat "$work/err"; expect grep -q "overlaps fault" "$work/err"
fi
expect ctl revoke "$delay_id" >/dev/null
check "RTT to .2 after revoking its delay" "$(minus "$(rtt 10.79.0.2)" "$base2")" -20 20
check "loss to .3 still there (%)" "$(loss 10.79.0.3 300)" 30 70
expect ctl revoke "$loss_id" >/dev/null
check "loss to .3 after revoke (%)" "$(loss 10.79.0.3 100)" 0 5
if ip netns exec "$ns_a" tc qdisc show dev cn0 | grep -q ca00:; then
  echo "FAIL: tree left after the last fault"; fail=1
fi

echo "== TCP partition on one port"
expect tcp_connects 8080
out=$(ctl partition cn0 "${A[@]}" --dst 10.79.0.2 --dport 8080 --proto tcp --ttl 2m)
echo "$out"
if tcp_connects 8080; then echo "FAIL: port 8080 still connects"; fail=1; else echo "ok: 8080 blocked"; fi
expect tcp_connects 8081
expect ctl revoke "$(id_of "$out")" >/dev/null
expect tcp_connects 8080

echo "== protected port under a whole-interface partition"
out=$(ctl partition cn0 "${A[@]}" --ttl 2m)
echo "$out"
check "ping loss under the partition (%)" "$(loss 10.79.0.2 50)" 100 100
if tcp_connects 22; then echo "ok: port 22 (protected) still connects"; else echo "FAIL: port 22 cut"; fail=1; fi
if tcp_connects 8081; then echo "FAIL: 8081 connects through a partition"; fail=1; else echo "ok: 8081 blocked"; fi
expect ctl revoke "$(id_of "$out")" >/dev/null

echo "== ingress delay through an IFB device"
out=$(ctl delay cn0 100ms "${A[@]}" --direction ingress --ttl 2m)
echo "$out"
ifindex=$(ip -n "$ns_a" -o link show cn0 | cut -d: -f1)
expect ip -n "$ns_a" link show "cnifb$ifindex" >/dev/null
check "RTT with ingress delay, added" "$(minus "$(rtt 10.79.0.2)" "$base2")" 85 160
expect ctl revoke "$(id_of "$out")" >/dev/null
if ip -n "$ns_a" link show "cnifb$ifindex" >/dev/null 2>&1; then
  echo "FAIL: IFB device left after revoke"; fail=1
else
  echo "ok: IFB device gone"
fi
if ip netns exec "$ns_a" tc qdisc show dev cn0 | grep -q ingress; then
  echo "FAIL: ingress qdisc left after revoke"; fail=1
fi
check "RTT after revoking the ingress delay" "$(minus "$(rtt 10.79.0.2)" "$base2")" -20 20

echo "== a foreign root qdisc is refused and left alone"
ip netns exec "$ns_a" tc qdisc add dev cn0 root handle 1: htb
if ctl delay cn0 50ms "${A[@]}" --ttl 1m 2>"$work/err"; then
  echo "FAIL: a fault went onto a foreign root"; fail=1
else
  cat "$work/err"; expect grep -q "did not create" "$work/err"
fi
expect bash -c "ip netns exec $ns_a tc qdisc show dev cn0 | grep -q 'htb 1: root'"
ip netns exec "$ns_a" tc qdisc del dev cn0 root

echo "== a namespace deleted under a live fault"
ns_c=cntgt$$-c
ip netns add "$ns_c"
ip -n "$ns_c" link add cnd0 type veth peer name cnd1
ip -n "$ns_c" link set cnd0 up
ip -n "$ns_c" link set cnd1 up
out=$(ctl delay cnd0 50ms --netns "$ns_c" --ttl 2m)
echo "$out"
gone_id=$(id_of "$out")
ip netns del "$ns_c"
state=""
for _ in $(seq 50); do
  state=$(ctl -o json get "$gone_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [[ $state == FAULT_STATE_LOST ]] && break
  sleep 0.1
done
ctl get "$gone_id" || true
[[ $state == FAULT_STATE_LOST ]] && echo "ok: lease LOST" || { echo "FAIL: state $state"; fail=1; }

exit $fail
