#!/usr/bin/env bash
# Guards with real traffic on a kernel with netem (issue 16). chaosnetd runs
# in the guest's own namespace and faults cn0 in namespace a (--netns), so a
# guard reaches its target only if its socket is made in that namespace. In b
# a small server (python's http.server) answers GET with 200, or 503 while
# the flag file http-broken holds 1, and listens on a TCP port unless
# tcp-broken holds 1: bash breaks and mends the service by writing a flag.
# The rollback is seen in the kernel's own view: one `tc -ts monitor` in
# namespace a streams qdisc events, each stamped by tc as it receives it, to
# the shell (the guest is emulated, every process start costs tens to
# hundreds of ms, so nothing is polled). Failure-to-rollback is the time from
# the break to the deletion of the fault's root qdisc; CHAOSNET_GUARD_HALTS
# halts per guard kind (5 by default, to keep CI short; 20 for the issue's
# p50/max) give the p50/max.
# Exits 77 without netem (a failure in the guest suite).
set -euo pipefail

bin=${CHAOSNET_BIN_DIR:?set by the guest test runner}
out_dir=${CHAOSNET_TEST_OUT:-/tmp}
work=$(mktemp -d)
server_pid="" ping_pid="" monitor_pid=""
# shellcheck disable=SC2317  # called from lib.sh's exit trap
on_exit() {
  for pid in $ping_pid $server_pid $monitor_pid; do kill "$pid" 2>/dev/null || true; done
  stop_daemon
  cp "$work/daemon.log" "$out_dir/" 2>/dev/null || true
  rm -rf "$work"
}
# shellcheck source=tests/guest/lib.sh
source "$(dirname "$0")/lib.sh"
pair_namespaces "cngd$$" cn0 cn1 10.79.0
server=10.79.0.2

start_guarding_daemon() {
  start_daemon --allow-guard-target "$server/32:8080" --allow-guard-target "$server:9090"
}
start_guarding_daemon
require_netem

cat >"$work/server.py" <<'EOF'
import http.server, select, socket, sys, threading, time
flags, host = sys.argv[1], sys.argv[2]
def broken(name):
    try:
        with open(flags + "/" + name) as f:
            return f.read().strip() == "1"
    except OSError:
        return False
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503 if broken("http-broken") else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
httpd = http.server.ThreadingHTTPServer((host, 8080), Health)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
listener = None
while True:
    closed = broken("tcp-broken")
    if closed and listener:
        listener.close()
        listener = None
    if not closed and not listener:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, 9090))
        listener.listen(64)
    if listener:
        if select.select([listener], [], [], 0.01)[0]:
            listener.accept()[0].close()
    else:
        time.sleep(0.01)
EOF
echo 0 >"$work/http-broken"
echo 0 >"$work/tcp-broken"
ip netns exec "$ns_b" /usr/bin/python3 "$work/server.py" "$work" "$server" >"$work/server.log" 2>&1 &
server_pid=$!
# Python starts slowly in an emulated guest: wait for the port, 60 s at most.
deadline=$((SECONDS + 60))
until ip netns exec "$ns_a" bash -c "exec 3<>/dev/tcp/$server/9090" 2>/dev/null; do
  ((SECONDS < deadline)) || { echo "FAIL: the server did not start"; cat "$work/server.log"; exit 1; }
  sleep 0.2
done
echo "ok: server up"
mkfifo "$work/idle"
exec {idle}<>"$work/idle"
# pause SECONDS, without starting a process.
pause() { read -r -t "$1" -u "$idle" _ || true; }

# Times are ms since midnight UTC: what `tc -ts monitor` stamps its events with.
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000 % 86400000)); }
# since A B: B - A in ms, across midnight too.
since() { echo $(((($2 - $1) + 86400000 + 43200000) % 86400000 - 43200000)); }
has_fault() { ip netns exec "$ns_a" tc qdisc show dev cn0 | grep -q 'ca00:'; }
# The kernel's qdisc events in namespace a, line-buffered, each stamped by tc
# as it receives it, read by the shell.
coproc MONITOR { TZ=UTC exec ip netns exec "$ns_a" stdbuf -oL tc -ts monitor; }
# shellcheck disable=SC2153  # set by coproc
monitor_pid=$MONITOR_PID
event_re='^\[[0-9-]+T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{6})\] (deleted )?qdisc [a-z_]+ ca00: dev cn0 '
# next_event added|deleted: waits (10 s at most) for the root qdisc of a fault
# on cn0 to be added or deleted; prints tc's time stamp of that event.
next_event() {
  local line r
  while IFS= read -r -t 10 line <&"${MONITOR[0]}"; do
    [[ $line =~ $event_re ]] || continue
    r=("${BASH_REMATCH[@]}")
    if [[ $1 == deleted ]]; then [[ -n ${r[5]} ]] || continue; else [[ -z ${r[5]} ]] || continue; fi
    echo $(((10#${r[1]} * 3600 + 10#${r[2]} * 60 + 10#${r[3]}) * 1000 + 10#${r[4]} / 1000))
    return
  done
  echo "FAIL: no '$1' event of qdisc ca00: within 10s" >&2
  fail=1
  now_ms
}
# Forgets events not waited for.
drain_events() { while IFS= read -r -t 0.05 _ <&"${MONITOR[0]}"; do :; done; }
fault_json() { ctl -o json get "$1"; }
# wait_json ID REGEX: polls `get` (30 s at most) until its JSON matches.
wait_json() {
  local deadline=$((SECONDS + 30))
  until fault_json "$1" | grep -qE "$2"; do ((SECONDS < deadline)) || return 1; pause 0.1; done
}
fault_id() { sed -nE 's/^fault ([0-9a-f]{12}) .*/\1/p' <<<"$1"; }
# p50/max of the numbers in a file.
summary() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "n=%d p50=%d max=%d", NR, v[int((NR + 1) / 2)], v[NR] }'; }
# uint64 counters are JSON strings.
at_least_3='"checks":"([3-9]|[1-9][0-9]+)"'

# --- refused: one line naming the guard, nothing applied ---------------------
for bad in "tcp:$server" "http://$server:8080/x,status=abc" "retransmits<5"; do
  if msg=$(ctl delay cn0 50ms --netns "$ns_a" --guard "$bad" 2>&1); then
    echo "FAIL: malformed guard $bad accepted"; fail=1
  else
    [[ $(wc -l <<<"$msg") -eq 1 && $msg == *"$bad"* ]] \
      || { echo "FAIL: malformed guard $bad: $msg"; fail=1; }
  fi
done
msg=$(ctl delay cn0 50ms --netns "$ns_a" --guard "tcp:$server:22" 2>&1) && fail=1
[[ $msg == *--allow-guard-target* ]] || { echo "FAIL: target outside the allowed: $msg"; fail=1; }
has_fault && { echo "FAIL: a refused guard left a qdisc"; fail=1; }
echo "ok: malformed guards and targets outside --allow-guard-target refused"

# --- http: 50 ms delay stays ACTIVE, a broken service halts it ----------------
# ACTIVE through grace and three rounds with the 50 ms delay on the path. The
# emulated guest stalls at times for longer than the 450 ms timeout (seen at
# load 6): a fault its guard halted on such a stall ("no answer") did its job,
# and the attempt is repeated, three at most.
for attempt in 1 2 3; do
  drain_events
  out=$(ctl delay cn0 50ms --netns "$ns_a" --ttl 60s --guard "http://$server:8080/health" \
    --guard-interval 500ms --guard-timeout 450ms)
  id=$(fault_id "$out")
  next_event added >/dev/null
  pause 2.2
  json=$(fault_json "$id")
  { grep -q '"state":"FAULT_STATE_ACTIVE"' <<<"$json" && grep -qE "$at_least_3" <<<"$json"; } && break
  if [[ $attempt -lt 3 && $json == *'"state":"FAULT_STATE_HALTED"'*'no answer within'* ]]; then
    echo "note: attempt $attempt halted on an emulation stall: $(ctl get "$id" | grep '^state:')"
    continue
  fi
  echo "FAIL: http guard not ACTIVE after 3 checks: $json"
  fail=1
  break
done
ctl get "$id"
echo 1 >"$work/http-broken"
broke=$(now_ms)
gone=$(next_event deleted)
echo 0 >"$work/http-broken"
check "http guard (500ms/450ms): failure to rollback (ms)" "$(since "$broke" "$gone")" 0 1150
fault_json "$id" | grep -q '"state":"FAULT_STATE_HALTED"' || { echo "FAIL: not HALTED"; fail=1; }
ctl get "$id" | grep -q "halted (guard http://$server:8080/health failed: 503)" \
  || { echo "FAIL: reason: $(ctl get "$id")"; fail=1; }

# --- halts per kind ----------------------------------------------------------
# CI measures 5 per kind (the whole guest run must stay short);
# CHAOSNET_GUARD_HALTS=20 gives the issue's p50/max over 20.
halts_wanted=${CHAOSNET_GUARD_HALTS:-5}
# halt_once KIND GUARD: applies a guarded delay fault (the issue's schedule:
# 500 ms interval, 450 ms timeout), lets the grace period and a round pass,
# breaks the service (flag KIND-broken), and records the failure-to-rollback
# in KIND.ms. The emulated guest stalls at times for longer than the timeout:
# a guard that halted its fault before the break (the rollback came first)
# did its job on a real stall, and is counted in KIND.early instead.
halt_once() {
  local kind=$1 guard=$2 broke gone
  drain_events
  ctl delay cn0 20ms --netns "$ns_a" --ttl 60s --guard "$guard" --guard-interval 500ms \
    --guard-timeout 450ms >/dev/null
  next_event added >/dev/null
  pause 0.8
  echo 1 >"$work/$kind-broken"
  broke=$(now_ms)
  gone=$(next_event deleted)
  echo 0 >"$work/$kind-broken"
  gone=$(since "$broke" "$gone")
  if ((gone < 0)); then echo "$gone" >>"$out_dir/$kind.early"; else echo "$gone" >>"$out_dir/$kind.ms"; fi
}
# halts KIND GUARD: halts_wanted measured halts, twice that many attempts at most.
halts() {
  local attempts=0
  rm -f "$out_dir/$1.ms" "$out_dir/$1.early"
  touch "$out_dir/$1.ms" "$out_dir/$1.early"
  while (($(wc -l <"$out_dir/$1.ms") < halts_wanted && attempts++ < 2 * halts_wanted)); do
    halt_once "$1" "$2"
  done
  echo "ok: $1: $(wc -l <"$out_dir/$1.ms") halts measured, $(wc -l <"$out_dir/$1.early") before the break"
}
halts http "http://$server:8080/"
halts tcp "tcp:$server:9090"

# --- drops: 30% loss halts a drops<5% guard, 1% loss does not -----------------
ip netns exec "$ns_a" ping -q -i 0.005 "$server" >/dev/null 2>&1 &
ping_pid=$!
out=$(ctl loss cn0 1% --netns "$ns_a" --ttl 60s --guard 'drops<5%' --guard 'retransmits<100000/s' \
  --guard-interval 200ms)
id=$(fault_id "$out")
next_event added >/dev/null
pause 2.5
ctl get "$id"
json=$(fault_json "$id")
{ grep -q '"state":"FAULT_STATE_ACTIVE"' <<<"$json" && grep -qE "$at_least_3" <<<"$json"; } \
  || { echo "FAIL: 1% loss not ACTIVE after 3 drops<5% checks: $json"; fail=1; }
ctl get "$id" | grep -qE 'retransmits<100000/s: pass .*retransmits/s' \
  || { echo "FAIL: retransmits guard read no rate"; fail=1; }
ctl revoke "$id" >/dev/null
next_event deleted >/dev/null
rm -f "$out_dir/drops.ms"
for _ in $(seq "$halts_wanted"); do
  drain_events
  ctl loss cn0 30% --netns "$ns_a" --ttl 60s --guard 'drops<5%,min-packets=20' \
    --guard-interval 200ms >/dev/null
  applied=$(next_event added)
  gone=$(next_event deleted)
  # The fault breaks the steady state at once: the first check counts after
  # the grace period (one interval).
  echo $(($(since "$applied" "$gone") - 200)) >>"$out_dir/drops.ms"
done
echo "ok: $halts_wanted drops halts"
kill "$ping_pid"; ping_pid=""

for kind in http tcp drops; do
  echo "failure-to-rollback $kind: $(summary "$out_dir/$kind.ms") ms"
  check "$kind: halts measured" "$(wc -l <"$out_dir/$kind.ms")" "$halts_wanted" $((2 * halts_wanted))
  # interval + timeout + 200 ms (drops: from its first counted check),
  # widened for an emulated machine.
  check "$kind: slowest failure to rollback (ms)" "$(sort -n "$out_dir/$kind.ms" | tail -1)" 0 1500
done
for kind in http tcp; do
  check "$kind: halts before the break (guest stalls)" "$(wc -l <"$out_dir/$kind.early")" 0 \
    $((halts_wanted / 2))
done

# --- run --halt-kills: the command gets SIGTERM -------------------------------
(sleep 4; echo 1 >"$work/tcp-broken") &
breaker=$!
set +e
msg=$(ctl run --halt-kills delay cn0 20ms --netns "$ns_a" --guard "tcp:$server:9090" \
  --guard-interval 500ms --guard-timeout 450ms -- sleep 60 2>&1)
status=$?
set -e
wait "$breaker"
echo 0 >"$work/tcp-broken"
next_event added >/dev/null
next_event deleted >/dev/null
[[ $status -eq 143 ]] || { echo "FAIL: run --halt-kills exit $status: $msg"; fail=1; }
[[ $msg == *"halted by a guard"*"--halt-kills"* ]] || { echo "FAIL: run output: $msg"; fail=1; }
echo "ok: run --halt-kills ended its command (exit $status)"

# --- a guard survives a daemon crash: re-armed with the lease -----------------
out=$(ctl delay cn0 20ms --netns "$ns_a" --ttl 60s --guard "tcp:$server:9090" \
  --guard-interval 500ms --guard-timeout 450ms)
id=$(fault_id "$out")
kill -KILL "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
start_guarding_daemon
wait_json "$id" '"result":"GUARD_RESULT_PASS"' || { echo "FAIL: guard not re-armed"; fail=1; }
echo 1 >"$work/tcp-broken"
wait_json "$id" '"state":"FAULT_STATE_HALTED"' || { echo "FAIL: re-armed guard did not halt"; fail=1; }
echo 0 >"$work/tcp-broken"
has_fault && { echo "FAIL: qdisc left after the re-armed guard halted"; fail=1; }
echo "ok: a guard re-armed after a crash halted its fault"

exit $fail
