# shellcheck shell=bash disable=SC2034,SC2154  # sourced: $fail is the tests', $bin and $work theirs
# Shared by the guest shell tests (sourced, not run): two throwaway network
# namespaces joined by veth, removed on exit; checks (a range, a command); the
# test's own chaosnetd (start, stop, ctl, the netem requirement).

# pair_namespaces TAG IF_A IF_B SUBNET: creates $ns_a and $ns_b ("TAG-a", "TAG-b")
# with IF_A=SUBNET.1/24 in a and IF_B=SUBNET.2/24 in b, all links up, and an
# EXIT trap that deletes both (after calling on_exit, if the test defines it).
pair_namespaces() {
  local tag=$1 if_a=$2 if_b=$3 subnet=$4
  ns_a=$tag-a
  ns_b=$tag-b
  trap _remove_namespaces EXIT
  ip netns add "$ns_a"
  ip netns add "$ns_b"
  ip link add "$if_a" netns "$ns_a" type veth peer name "$if_b" netns "$ns_b"
  ip -n "$ns_a" addr add "$subnet.1/24" dev "$if_a"
  ip -n "$ns_b" addr add "$subnet.2/24" dev "$if_b"
  for ns in "$ns_a" "$ns_b"; do ip -n "$ns" link set lo up; done
  ip -n "$ns_a" link set "$if_a" up
  ip -n "$ns_b" link set "$if_b" up
}

# shellcheck disable=SC2317  # called from the trap
_remove_namespaces() {
  if declare -F on_exit >/dev/null; then on_exit; fi
  ip netns del "$ns_a" 2>/dev/null || true
  ip netns del "$ns_b" 2>/dev/null || true
}

fail=0
# check LABEL VALUE LOW HIGH: prints ok/FAIL; a failure sets fail=1.
check() {
  if awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo && v <= hi) }'; then
    echo "ok: $1 = $2 (expected $3..$4)"
  else
    echo "FAIL: $1 = $2 (expected $3..$4)"
    fail=1
  fi
}

# expect CMD...: runs it; "ok: CMD" or "FAIL: CMD", a failure recorded in $fail.
expect() { if "$@"; then echo "ok: $*"; else echo "FAIL: $*"; fail=1; fi; }

# id_of OUTPUT: the fault id in a create's "fault <id> applied: ..." line.
id_of() { sed -nE 's/^fault ([0-9a-f]{12}) .*/\1/p' <<<"$1"; }

# The test's own chaosnetd: socket, journal and log in $work (which the test
# makes and removes); $bin is CHAOSNET_BIN_DIR.
daemon_pid=""
ctl() { "$bin/chaosnetctl" --server "unix:$work/s.sock" "$@"; }

# start_daemon [--in NETNS] [CHAOSNETD FLAGS...]: starts chaosnetd (inside
# NETNS when given; appending to $work/daemon.log), sets $daemon_pid and waits
# until it answers. Under emulation on a loaded machine a start can take
# seconds, hence the minute; a daemon that never answers fails the test.
start_daemon() {
  local run=()
  if [[ ${1:-} == --in ]]; then run=(ip netns exec "$2"); shift 2; fi
  "${run[@]}" "$bin/chaosnetd" --socket "$work/s.sock" --state-dir "$work/state" "$@" \
    >>"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do ctl info >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "FAIL: chaosnetd did not answer within 60 s"
  tail -n 20 "$work/daemon.log"
  exit 1
}

# stop_daemon: SIGTERM to the test's chaosnetd (its rollback runs) and wait.
stop_daemon() {
  if [[ -n $daemon_pid ]]; then
    kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    daemon_pid=""
  fi
  return 0
}

# require_netem: exits 77 when the daemon's kernel has no netem (a skip, which
# fails the guest suite unless allowed-skips.txt lists the test).
require_netem() {
  if ! ctl info | grep -qE '^ +netem +yes'; then
    echo "SKIP: kernel $(uname -r) has no netem"
    exit 77
  fi
}
