#!/usr/bin/env bash
# The fleet coordinator end to end (issue 14): five "hosts" = five network
# namespaces joined by a router namespace (the guest has no bridge module), each with its own chaosnetd on its own socket, and a
# fleet file naming them. For each shape: `fleet partition` applies, the 5x5
# ping matrix equals the shape's (reachable exactly within a group), `fleet
# heal` brings back the full matrix and leaves no chaosnet object. With one
# daemon stopped, the apply is refused (exit 3) and the other four are left
# untouched. Exits 77 without netem.
set -euo pipefail

bin=${CHAOSNET_BIN_DIR:?set by the guest test runner}
work=$(mktemp -d)
tag="cnfn$$"
nodes=(n1 n2 n3 n4 n5)
declare -A daemon_pid=()
fail=0
# shellcheck disable=SC2317  # called from the exit trap
cleanup() {
  for n in "${!daemon_pid[@]}"; do
    kill -TERM "${daemon_pid[$n]}" 2>/dev/null && wait "${daemon_pid[$n]}" 2>/dev/null || true
  done
  for n in "${nodes[@]}"; do ip netns del "$tag-$n" 2>/dev/null || true; done
  ip netns del "$tag-br" 2>/dev/null || true
  if ((fail)); then
    for f in "$work"/*.log; do [[ -f $f ]] && { echo "--- $f"; tail -n 20 "$f"; }; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
expect() { if "$@"; then echo "ok: $*"; else echo "FAIL: $*"; fail=1; fi; }

ip netns add "$tag-br"
ip netns exec "$tag-br" sysctl -qw net.ipv4.ip_forward=1
{
  echo "[defaults]"
  echo 'interface = "cnf0"'
} >"$work/fleet.toml"
i=0
for n in "${nodes[@]}"; do
  i=$((i + 1))
  ns="$tag-$n"
  ip netns add "$ns"
  ip link add cnf0 netns "$ns" type veth peer name "p$n" netns "$tag-br"
  ip -n "$tag-br" addr add "10.82.$i.1/24" dev "p$n"
  ip -n "$tag-br" link set "p$n" up
  ip -n "$ns" addr add "10.82.$i.2/24" dev cnf0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set cnf0 up
  ip -n "$ns" route add 10.82.0.0/16 via "10.82.$i.1"
  ip netns exec "$ns" "$bin/chaosnetd" --socket "$work/$n.sock" --state-dir "$work/$n.state" \
    >"$work/$n.log" 2>&1 &
  daemon_pid[$n]=$!
  printf '[nodes.%s]\nserver = "unix:%s"\naddresses = ["10.82.%d.2"]\n' \
    "$n" "$work/$n.sock" "$i" >>"$work/fleet.toml"
done
ctl() { "$bin/chaosnetctl" --server "unix:$work/$1.sock" "${@:2}"; }
for n in "${nodes[@]}"; do
  for _ in $(seq 100); do ctl "$n" info >/dev/null 2>&1 && break; sleep 0.1; done
done
if ! ctl n1 info | grep -qE '^ +netem +yes'; then
  echo "SKIP: kernel $(uname -r) has no netem"
  exit 77
fi
fleet() { "$bin/chaosnetctl" --timeout 5s "$@"; }

# matrix: one line per sender, "1" where a ping reached the receiver; all
# 20 probes at once, short timeouts (a cut link costs 1 s, not more).
matrix() {
  local a b
  for a in 1 2 3 4 5; do
    for b in 1 2 3 4 5; do
      [[ $a == "$b" ]] && continue
      (ip netns exec "$tag-n$a" ping -n -q -c 2 -i 0.2 -W 1 "10.82.$b.2" >/dev/null 2>&1 \
        && echo 1 >"$work/m$a$b" || echo 0 >"$work/m$a$b") &
    done
  done
  wait
  for a in 1 2 3 4 5; do
    local row=""
    for b in 1 2 3 4 5; do
      if [[ $a == "$b" ]]; then row+="1"; else row+=$(cat "$work/m$a$b"); fi
    done
    echo "$row"
  done
}
# expected_matrix JSON: from the groups `fleet partition -o json` printed,
# reachable exactly when sender and receiver share a group.
expected_matrix() {
  /usr/bin/python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
group = {m: g for g, members in enumerate(doc["groups"]) for m in members}
names = ["n1", "n2", "n3", "n4", "n5"]
for a in names:
    print("".join("1" if group[a] == group[b] else "0" for b in names))
' "$1"
}
full=$'11111\n11111\n11111\n11111\n11111'
# no_objects: no fault active on any node, no chaosnet qdisc on any interface.
no_objects() {
  local n
  for n in "${nodes[@]}"; do
    [[ -z ${daemon_pid[$n]:-} ]] && continue
    [[ $(ctl "$n" -o json list) == "[]" ]] || return 1
    ip netns exec "$tag-$n" tc qdisc show dev cnf0 | grep -q ca00: && return 1
  done
  return 0
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

expect [ "$(matrix)" == "$full" ]
for shape in halves "groups:n1,n4|n2"; do
  t0=$(now)
  out=$(fleet -o json fleet partition --fleet "$work/fleet.toml" --shape "$shape" --ttl 60s)
  t1=$(now)
  echo "$shape: $out"
  echo "apply $shape: $(elapsed "$t0" "$t1")s"
  want=$(expected_matrix "$out")
  got=$(matrix)
  echo "matrix under $shape:"
  echo "$got"
  expect [ "$got" == "$want" ]
  t0=$(now)
  fleet fleet heal --fleet "$work/fleet.toml"
  t1=$(now)
  echo "heal $shape: $(elapsed "$t0" "$t1")s"
  expect no_objects
  expect [ "$(matrix)" == "$full" ]
done

# --hold: every fault bound to the coordinator. SIGTERM heals; so does SIGKILL
# (each daemon rolls back when its keep-alive stream breaks).
active_faults() {
  local n total=0
  for n in "${nodes[@]}"; do
    total=$((total + $(ctl "$n" -o json list | /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')))
  done
  echo "$total"
}
for sig in TERM KILL; do
  # Not through the fleet function: $! must be chaosnetctl itself.
  "$bin/chaosnetctl" --timeout 5s fleet partition --fleet "$work/fleet.toml" --shape halves \
    --ttl 60s --hold >"$work/hold.out" 2>&1 &
  holder=$!
  # Each round costs five list calls: few rounds, bounded.
  for _ in $(seq 30); do grep -q holding "$work/hold.out" && break; sleep 0.2; done
  expect [ "$(active_faults)" == 5 ]
  t0=$(now)
  kill "-$sig" "$holder"
  wait "$holder" 2>/dev/null || true
  for _ in $(seq 20); do no_objects && break; sleep 0.1; done
  t1=$(now)
  echo "healed after SIG$sig of the holder: $(elapsed "$t0" "$t1")s"
  expect no_objects
done
cat "$work/hold.out"

# One daemon stopped: the dry run cannot reach it, nothing is applied anywhere.
kill -TERM "${daemon_pid[n5]}"
wait "${daemon_pid[n5]}" 2>/dev/null || true
unset 'daemon_pid[n5]'
rc=0
fleet fleet partition --fleet "$work/fleet.toml" --shape halves >"$work/refused.out" 2>&1 || rc=$?
cat "$work/refused.out"
expect [ "$rc" == 3 ]
expect grep -q "node n5" "$work/refused.out"
expect no_objects
exit $fail
