#!/usr/bin/env bash
# The fleet coordinator end to end (issue 14): five "hosts" = five network
# namespaces joined by a router namespace (the guest has no bridge module),
# each with IPv4 and IPv6 addresses and its own chaosnetd on its own socket and
# its own mTLS TCP port, and a fleet file naming them.
# - Every shape (CI: one per mechanism, CHAOSNET_FLEET_SHAPES=all: all nine):
#   `fleet partition -o json` applies; the 5x5 matrices of ping
#   and of TCP connects (every ordered pair, both directions) equal the
#   matrix the printed plan implies (a -> b works unless a drops its packets
#   to b or b its replies to a); `fleet heal` leaves no chaosnet object (and
#   the matrices are full again at the end). Random shapes print a seed that replays the
#   same groups. Some shapes also measure the ping -6 matrix.
# - one-way:n1,n2>n3 measured with UDP both ways.
# - The coordinator inside n1, every daemon over mTLS TCP (scripts/make-certs.sh):
#   a shape cutting n1 off keeps its control connections (status, hold).
# - `run --ttl 30s fleet partition ... -- CMD` holds the cut while CMD runs;
#   SIGKILL of the coordinator (run, --hold) heals every node (timed).
# - One daemon stopped: the apply is refused (exit 3), nothing applied.
# Exits 77 without netem.
set -euo pipefail

bin=${CHAOSNET_BIN_DIR:?set by the guest test runner}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
export tag="cnfn$$" work
nodes=(n1 n2 n3 n4 n5)
declare -A daemon_pid=()
helpers=()
fail=0
started=$(date +%s.%N)
# shellcheck disable=SC2317  # called from the exit trap
cleanup() {
  for p in "${helpers[@]}"; do kill -KILL -- "$p" 2>/dev/null || true; done
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
# shellcheck disable=SC2317  # called through expect
not() { ! "$@"; }
# same_matrix WHAT GOT WANT: one line; both matrices when they differ.
same_matrix() {
  if [[ $2 == "$3" ]]; then echo "ok: $1"; else
    echo "FAIL: $1: got, wanted:"
    paste -d' ' <(echo "$2") <(echo "$3")
    fail=1
  fi
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Certificates: one server certificate naming every node's address, one client.
certs="$work/certs"
"$source_dir/scripts/make-certs.sh" ca "$certs" >/dev/null
"$source_dir/scripts/make-certs.sh" server "$certs" chaosnetd 10.82.1.2 10.82.2.2 10.82.3.2 \
  10.82.4.2 10.82.5.2 >/dev/null
"$source_dir/scripts/make-certs.sh" client "$certs" coordinator >/dev/null

ip netns add "$tag-br"
ip netns exec "$tag-br" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$tag-br" sysctl -qw net.ipv6.conf.all.forwarding=1
printf '[defaults]\ninterface = "cnf0"\n' >"$work/fleet.toml"
printf '[defaults]\ninterface = "cnf0"\n[tls]\nca = "%s"\ncert = "%s"\nkey = "%s"\n' \
  "$certs/ca.pem" "$certs/coordinator.pem" "$certs/coordinator.key" >"$work/fleet-tls.toml"
i=0
for n in "${nodes[@]}"; do
  i=$((i + 1))
  ns="$tag-$n"
  ip netns add "$ns"
  ip link add cnf0 netns "$ns" type veth peer name "p$n" netns "$tag-br"
  ip -n "$tag-br" addr add "10.82.$i.1/24" dev "p$n"
  ip -n "$tag-br" addr add "fd82:$i::1/64" dev "p$n" nodad
  ip -n "$tag-br" link set "p$n" up
  ip -n "$ns" addr add "10.82.$i.2/24" dev cnf0
  ip -n "$ns" addr add "fd82:$i::2/64" dev cnf0 nodad
  ip -n "$ns" link set lo up
  ip -n "$ns" link set cnf0 up
  ip -n "$ns" route add 10.82.0.0/16 via "10.82.$i.1"
  ip -n "$ns" -6 route add fd82::/16 via "fd82:$i::1"
  ip netns exec "$ns" "$bin/chaosnetd" --socket "$work/$n.sock" --state-dir "$work/$n.state" \
    --listen "10.82.$i.2:741$i" --tls-cert "$certs/chaosnetd.pem" \
    --tls-key "$certs/chaosnetd.key" --tls-client-ca "$certs/ca.pem" >"$work/$n.log" 2>&1 &
  daemon_pid[$n]=$!
  printf '[nodes.%s]\nserver = "unix:%s"\naddresses = ["10.82.%d.2", "fd82:%d::2"]\n' \
    "$n" "$work/$n.sock" "$i" "$i" >>"$work/fleet.toml"
  printf '[nodes.%s]\nserver = "10.82.%d.2:741%d"\naddresses = ["10.82.%d.2", "fd82:%d::2"]\n' \
    "$n" "$i" "$i" "$i" "$i" >>"$work/fleet-tls.toml"
  # A TCP listener (port 9000) and a UDP receiver (9001) that logs what it got.
  ip netns exec "$ns" /usr/bin/python3 -c '
import socket, sys, threading
tcp = socket.socket()
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("0.0.0.0", 9000)); tcp.listen(128)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("0.0.0.0", 9001))
open(sys.argv[2], "w").close()  # ready
def accept():
    while True:
        c, _ = tcp.accept(); c.close()
threading.Thread(target=accept, daemon=True).start()
with open(sys.argv[1], "a") as log:
    while True:
        data, _ = udp.recvfrom(256)
        log.write(data.decode() + "\n"); log.flush()
' "$work/udp-$n" "$work/ready-$n" &
  helpers+=($!)
done
# A row of TCP connects from one node: every address at once, "1" per connect
# that completed within 3 s (Python: one process per row, not one per probe,
# which the emulated guest could not start within a short timeout).
cat >"$work/tcp_row.py" <<'PY'
import concurrent.futures, socket, sys
def connects(address):
    try:
        socket.create_connection((address, 9000), timeout=3).close()
        return "1"
    except OSError:
        return "0"
with concurrent.futures.ThreadPoolExecutor(len(sys.argv) - 1) as pool:
    print("".join(pool.map(connects, sys.argv[1:])))
PY
ctl() { "$bin/chaosnetctl" --server "unix:$work/$1.sock" "${@:2}"; }
for n in "${nodes[@]}"; do
  for _ in $(seq 100); do ctl "$n" info >/dev/null 2>&1 && break; sleep 0.1; done
done
if ! ctl n1 info | grep -E '^ +netem +yes' >/dev/null; then
  echo "SKIP: kernel $(uname -r) has no netem"
  exit 77
fi
# Wide RPC deadlines: the emulated guest on a loaded machine is slow.
fleet() { "$bin/chaosnetctl" --timeout 20s "$@"; }

# row KIND A, run inside node A's namespace: "1" per node that A reaches
# (ping: an echo and its reply; ping6: the same over IPv6; tcp: a connect,
# SYN and SYN-ACK, within 3 s). One namespace entry per row, the probes in it
# at once: the emulated guest is slow to start processes.
row() {
  local b address line=""
  if [[ $1 == tcp ]]; then
    /usr/bin/python3 "$work/tcp_row.py" 10.82.{1..5}.2
    return
  fi
  for b in 1 2 3 4 5; do
    [[ $b == "$2" ]] && continue
    if [[ $1 == ping ]]; then address="10.82.$b.2"; else address="fd82:$b::2"; fi
    (ping -n -q -c 2 -i 0.2 -W 1 "$address" >/dev/null 2>&1 && echo 1 >"$work/p-$1$2$b" ||
      echo 0 >"$work/p-$1$2$b") &
  done
  wait
  for b in 1 2 3 4 5; do
    if [[ $b == "$2" ]]; then line+="1"; else line+=$(<"$work/p-$1$2$b"); fi
  done
  echo "$line"
}
# matrix KIND...: per KIND (ping, ping6, tcp), one line per sender; every
# row of every kind at once (a cut probe costs 1-3 s).
matrix() {
  local kind a
  for kind in "$@"; do
    for a in 1 2 3 4 5; do
      ip netns exec "$tag-n$a" bash -c 'row "$@"' _ "$kind" "$a" >"$work/m-$kind$a" 2>&1 &
    done
  done
  wait
  for kind in "$@"; do
    for a in 1 2 3 4 5; do cat "$work/m-$kind$a"; done
  done
}
export -f row matrix
# expected_matrix JSON [COPIES]: from the plan `fleet partition -o json`
# printed (each node's peers: the nodes it drops its packets to), a round
# trip a -> b works unless a drops to b or b drops to a. Not from the groups:
# bridge and majorities-ring groups overlap.
expected_matrix() {
  /usr/bin/python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
drops = {n["node"]: set(n.get("peers", [])) for n in doc["nodes"]}
names = ["n1", "n2", "n3", "n4", "n5"]
for _ in range(int(sys.argv[2])):
    for a in names:
        print("".join("0" if b in drops.get(a, ()) or a in drops.get(b, ()) else "1"
                      for b in names))
' "$1" "${2:-1}"
}
# facts JSON: the printed shape (with its seed, groups or ring), then the seed.
facts() {
  /usr/bin/python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(d["shape"]); print(d.get("seed", ""))' "$1"
}
full() { local k; for ((k = 0; k < $1; k++)); do printf '11111\n11111\n11111\n11111\n11111\n'; done; }
# A chaosnet tree: a root qdisc with a handle ca00: to caff:. grep reads all of
# tc's output (no -q): under pipefail, tc killed by SIGPIPE would read as "none".
has_tree() { tc -n "$tag-$1" qdisc show dev cnf0 | grep -E '^qdisc [a-z_]+ ca[0-9a-f]{2}: root' >/dev/null; }
# no_tree: no chaosnet qdisc on any node's interface (the kernel's view).
no_tree() {
  local n
  for n in "${nodes[@]}"; do
    has_tree "$n" && return 1
  done
  return 0
}
# no_objects: no experiment fault active on any running daemon (one fleet
# status call), and no tree in any kernel.
no_objects() {
  local status
  status=$(fleet -o json fleet status --fleet "$work/fleet.toml" 2>/dev/null) || true
  /usr/bin/python3 -c '
import json, sys
nodes = {n["node"]: n for n in json.loads(sys.argv[1])["nodes"]}
sys.exit(any(not nodes[r]["ok"] or nodes[r].get("faults") for r in sys.argv[2:]))
' "$status" "${!daemon_pid[@]}" || return 1
  no_tree
}
# active_faults: how many trees the kernels hold (one per node's fault).
active_faults() {
  local n total=0
  for n in "${nodes[@]}"; do
    has_tree "$n" && total=$((total + 1))
  done
  echo "$total"
}
udp_heard() { grep -qx "$2" "$work/udp-$1" 2>/dev/null; }

# Listeners up: each says so once bound.
for n in "${nodes[@]}"; do
  for _ in $(seq 300); do [[ -f $work/ready-$n ]] && break; sleep 0.1; done
  [[ -f $work/ready-$n ]] || { echo "FAIL: the listener of $n never came up"; exit 1; }
done
base=$(matrix ping tcp ping6)
same_matrix "full ping, tcp, ping6 matrices before" "$base" "$(full 3)"

# The shapes. Random ones get a fixed or a drawn seed; the printed seed
# replays the same groups (dry run). Some measure IPv6 too. Each costs 30-60 s
# in the emulated guest, so CI runs one per mechanism (two groups, one node
# cut off, a node that sees both sides, overlapping majorities with a drawn
# seed, one direction only); which node a shape picks is the pure core's,
# table-tested on the host. CHAOSNET_FLEET_SHAPES=all runs all nine.
if [[ ${CHAOSNET_FLEET_SHAPES:-} == all ]]; then
  shapes=("halves" "random-halves --shape-seed 7" "isolate:n3" "isolate" "bridge" "bridge:n2"
    "majorities-ring" "groups:n1,n4|n2" "one-way:n1,n2>n3")
else
  shapes=("halves" "isolate:n3" "bridge:n2" "majorities-ring" "one-way:n1,n2>n3")
fi
declare -A with_v6=([halves]=1 [bridge]=1 ["one-way:n1,n2>n3"]=1)
for entry in "${shapes[@]}"; do
  read -r -a shape_args <<<"$entry"
  shape=${shape_args[0]}
  kinds=(ping tcp)
  [[ -n ${with_v6[$shape]:-} ]] && kinds+=(ping6)
  t0=$(now)
  out=$(fleet -o json fleet partition --fleet "$work/fleet.toml" --shape "${shape_args[@]}" --ttl 5m)
  t1=$(now)
  mapfile -t fact < <(facts "$out")
  echo "== $entry: apply $(elapsed "$t0" "$t1")s; ${fact[0]}"
  want=$(expected_matrix "$out" "${#kinds[@]}")
  got=$(matrix "${kinds[@]}")
  echo "matrices (${kinds[*]}) under $entry:"
  paste -d' ' <(sed -n 1,5p <<<"$got") <(sed -n 6,10p <<<"$got") <(sed -n 11,15p <<<"$got")
  same_matrix "$entry: as planned" "$got" "$want"
  [[ $got == "$(full "${#kinds[@]}")" ]] && { echo "FAIL: $entry cut nothing"; fail=1; }
  if [[ $shape == one-way:* ]]; then
    # UDP, one datagram per direction and pair: n1,n2 -> n3 dropped, n3 -> n1,n2 delivered.
    for a in 1 2; do
      ip netns exec "$tag-n$a" bash -c "for k in 1 2 3; do echo n$a-n3 >/dev/udp/10.82.3.2/9001; done"
      ip netns exec "$tag-n3" bash -c "for k in 1 2 3; do echo n3-n$a >/dev/udp/10.82.$a.2/9001; done"
    done
    for _ in $(seq 20); do udp_heard n1 n3-n1 && udp_heard n2 n3-n2 && break; sleep 0.1; done
    expect udp_heard n1 n3-n1
    expect udp_heard n2 n3-n2
    expect not udp_heard n3 n1-n3
    expect not udp_heard n3 n2-n3
  fi
  t0=$(now)
  fleet fleet heal --fleet "$work/fleet.toml" >/dev/null
  t1=$(now)
  echo "heal $entry: $(elapsed "$t0" "$t1")s"
  expect no_objects
  # The kernel's view after each heal; the matrices are measured full again
  # once, at the end (the emulated guest starts processes slowly).
  seed=${fact[1]}
  if [[ -n $seed ]]; then
    # A dry run (after the heal: it checks overlaps) with the printed seed.
    replay=$(fleet -o json fleet partition --fleet "$work/fleet.toml" --shape "$shape" \
      --shape-seed "$seed" --dry-run)
    replayed=$(facts "$replay" | head -1)
    echo "replayed with seed $seed: $replayed"
    expect [ "$replayed" == "${fact[0]}" ]
  fi
done

# The coordinator inside n1, every daemon over its mTLS TCP port (741N): a
# shape that cuts n1 off from everyone. Each fault exempts the other daemons'
# endpoints (10.82.N.2:741N), so n1's control connections stay up.
in_n1() { ip netns exec "$tag-n1" "$bin/chaosnetctl" --timeout 20s "$@"; }
# Not through in_n1: $! must be chaosnetctl itself (ip netns exec execs it),
# not a subshell that a SIGTERM would end while chaosnetctl holds on.
ip netns exec "$tag-n1" "$bin/chaosnetctl" --timeout 20s fleet partition \
  --fleet "$work/fleet-tls.toml" --shape isolate:n1 --ttl 60s --hold >"$work/tls-hold.out" 2>&1 &
holder=$!
for _ in $(seq 150); do grep -q holding "$work/tls-hold.out" && break; sleep 0.2; done
cat "$work/tls-hold.out"
got=$(matrix ping)
echo "matrix (ping) with n1 isolated over mTLS:"
echo "$got"
same_matrix "n1 isolated, coordinator in n1 over mTLS" "$got" $'10000\n01111\n01111\n01111\n01111' 
status=$(in_n1 -o json fleet status --fleet "$work/fleet-tls.toml")
expect [ "$(/usr/bin/python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(sum(f["state"] == "active" for n in d["nodes"] for f in n.get("faults", [])), d["ok"])' "$status")" == "5 True" ]
expect kill -0 "$holder"  # the hold is still bound: its streams are not cut
kill -TERM "$holder"
wait "$holder" 2>/dev/null || true
cat "$work/tls-hold.out"
for _ in $(seq 20); do no_objects && break; sleep 0.1; done
expect no_objects
# heal from inside n1 over TLS reaches every node too. Once in four runs on
# 2026-12-02 (TCG guest), right after the hold's heal, one node's connect
# failed at once ("ipv4:10.82.5.2:7415: No such file or directory", 0.24 s):
# heal is idempotent, so a second try must then reach every node; the cause
# is not understood yet (see the issue note), so the first failure is shown.
if ! in_n1 fleet heal --fleet "$work/fleet-tls.toml"; then
  echo "heal from n1 failed once; trying again"
  sleep 1
  expect in_n1 fleet heal --fleet "$work/fleet-tls.toml"
fi

# run: the cut holds while the command runs (it measures the matrix itself,
# and lasts at least 3 s), every node heals after; the status is the command's.
want=$(expected_matrix "$(fleet -o json fleet partition --fleet "$work/fleet.toml" --shape halves --dry-run)")
t0=$(now)
rc=0
"$bin/chaosnetctl" --timeout 20s run --ttl 30s fleet partition --fleet "$work/fleet.toml" \
  --shape halves -- bash -c "matrix ping >$work/run.matrix & sleep 3; wait; exit 5" \
  2>"$work/run.err" || rc=$?
t1=$(now)
cat "$work/run.err"
echo "run held for $(elapsed "$t0" "$t1")s"
expect [ "$rc" == 5 ]
same_matrix "halves while run's command ran" "$(cat "$work/run.matrix")" "$want"
expect awk -v s="$(elapsed "$t0" "$t1")" 'BEGIN { exit !(s >= 3) }'
expect no_objects

# SIGKILL of the coordinator: run, then --hold. Each daemon rolls back when
# its keep-alive stream breaks; timed from the kill to no tree on any node.
for how in run hold; do
  if [[ $how == run ]]; then
    setsid "$bin/chaosnetctl" --timeout 20s run --ttl 60s fleet partition --fleet "$work/fleet.toml" \
      --shape halves -- sleep 600 >"$work/kill.out" 2>&1 &
    marker="held on"
  else
    setsid "$bin/chaosnetctl" --timeout 20s fleet partition --fleet "$work/fleet.toml" \
      --shape halves --ttl 60s --hold >"$work/kill.out" 2>&1 &
    marker=holding
  fi
  coordinator=$!
  helpers+=("-$coordinator")  # its process group: the orphaned sleep too
  for _ in $(seq 150); do grep -q "$marker" "$work/kill.out" && break; sleep 0.2; done
  expect [ "$(active_faults)" == 5 ]
  t0=$(now)
  kill -KILL "$coordinator"
  for _ in $(seq 500); do no_tree && break; done
  t1=$(now)
  echo "SIGKILL of the coordinator ($how): every node healed after $(elapsed "$t0" "$t1")s"
  expect no_objects
  kill -KILL -- "-$coordinator" 2>/dev/null || true
done
# SIGTERM of a --hold heals too.
"$bin/chaosnetctl" --timeout 20s fleet partition --fleet "$work/fleet.toml" --shape halves \
  --ttl 60s --hold >"$work/hold.out" 2>&1 &
holder=$!
for _ in $(seq 150); do grep -q holding "$work/hold.out" && break; sleep 0.2; done
expect [ "$(active_faults)" == 5 ]
t0=$(now)
kill -TERM "$holder"
wait "$holder" 2>/dev/null || true
for _ in $(seq 500); do no_tree && break; done
echo "healed after SIGTERM of the holder: $(elapsed "$t0" "$(now)")s"
expect no_objects

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
same_matrix "full ping, tcp, ping6 matrices at the end" "$(matrix ping tcp ping6)" "$(full 3)"
echo "fleet-nodes took $(elapsed "$started" "$(now)")s"
exit $fail
