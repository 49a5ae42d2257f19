#!/usr/bin/env bash
# The fleet's daemon side against a real kernel with netem, through the CLI,
# with real traffic (issue 14): one partition whose --dst is a set mixing IPv4
# and IPv6 cuts every member and nothing else; an --exempt endpoint in it keeps
# connecting (TCP) while the rest of that host is cut; revoking restores
# everything and leaves no chaosnet object. Exits 77 without netem.
set -euo pipefail

bin=${CHAOSNET_BIN_DIR:?set by the guest test runner}
work=$(mktemp -d)
listeners=()
# shellcheck disable=SC2317  # called from lib.sh's exit trap
on_exit() {
  for p in "${listeners[@]}"; do kill "$p" 2>/dev/null || true; done
  stop_daemon
  [[ -f $work/daemon.log ]] && { echo "--- daemon log"; tail -n 40 "$work/daemon.log"; }
  rm -rf "$work"
}
# shellcheck source=tests/guest/lib.sh
source "$(dirname "$0")/lib.sh"
pair_namespaces "cnflt$$" cn0 cn1 10.81.0
# Destinations behind the one interface: .2 .3 .4 and ::2 ::3.
ip -n "$ns_b" addr add 10.81.0.3/24 dev cn1
ip -n "$ns_b" addr add 10.81.0.4/24 dev cn1
ip -n "$ns_a" addr add fd81::1/64 dev cn0 nodad
ip -n "$ns_b" addr add fd81::2/64 dev cn1 nodad
ip -n "$ns_b" addr add fd81::3/64 dev cn1 nodad

start_daemon
require_netem
# loss ADDR: percent of 20 quick pings from a lost.
loss() {
  ip netns exec "$ns_a" ping -n -q -c 20 -i 0.01 -W 1 "$1" | sed -nE 's/.* ([0-9.]+)% packet loss.*/\1/p'
}
# connects ADDR PORT: a TCP connection from a succeeds within 3 s.
connects() {
  ip netns exec "$ns_a" timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
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
listen 7443; listen 8080
for port in 7443 8080; do
  for _ in $(seq 100); do connects 10.81.0.2 "$port" && break; sleep 0.2; done
  connects 10.81.0.2 "$port" || { echo "FAIL: listener on port $port never came up"; exit 1; }
done

# The expected reachability from a, before, during and after.
probe_all() {
  local when=$1 cut=$2
  for dst in 10.81.0.2 10.81.0.3 fd81::2; do
    if [[ $cut == yes ]]; then check "$when: loss to $dst (%)" "$(loss "$dst")" 100 100
    else check "$when: loss to $dst (%)" "$(loss "$dst")" 0 10; fi
  done
  # Not in the set: never cut.
  check "$when: loss to 10.81.0.4 (%)" "$(loss 10.81.0.4)" 0 10
  check "$when: loss to fd81::3 (%)" "$(loss fd81::3)" 0 10
}
probe_all "before" no

echo "== partition to a mixed-family set, one endpoint exempted"
out=$(ctl partition cn0 --netns "$ns_a" --dst 10.81.0.2 --dst 10.81.0.3 --dst fd81::2 \
  --exempt 10.81.0.2:tcp:7443 --ttl 2m)
echo "$out"
id=$(id_of "$out")
ctl get "$id"
# The kernel's view: the exemption's nodes with the root's flowid first.
ip netns exec "$ns_a" tc filter show dev cn0 parent ca00: | grep -E 'flowid|match' | head -20
probe_all "partitioned" yes
if connects 10.81.0.2 7443; then echo "ok: the exempted endpoint connects"; else
  echo "FAIL: the exempted endpoint 10.81.0.2:7443 was cut"; fail=1; fi
if connects 10.81.0.2 8080; then echo "FAIL: 10.81.0.2:8080 connects through the partition"
  fail=1; else echo "ok: 10.81.0.2:8080 cut"; fi
if connects 10.81.0.3 7443; then echo "FAIL: 10.81.0.3:7443 (not exempted) connects"
  fail=1; else echo "ok: 10.81.0.3:7443 cut"; fi

expect ctl revoke "$id" >/dev/null
probe_all "healed" no
expect connects 10.81.0.2 8080
if ip netns exec "$ns_a" tc qdisc show dev cn0 | grep -q ca00:; then
  echo "FAIL: tree left after revoke"; fail=1
else echo "ok: no chaosnet object left"; fi

exit "$fail"
