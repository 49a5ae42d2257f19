#!/usr/bin/env bash
# systemd-analyze must accept the unit as shipped, with ExecStart pointing at the
# binary this build produced (verify refuses a unit whose binary does not exist).
set -euo pipefail
unit_src=$1
bin_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/local/bin/chaosnetd|$bin_dir/chaosnetd|g" "$unit_src" > "$work/chaosnetd.service"
grep -q "^Type=notify" "$work/chaosnetd.service"
grep -q "^ExecStopPost=.*--cleanup" "$work/chaosnetd.service"
# A hung event loop must cost a restart: the daemon pings the watchdog from it.
grep -q "^WatchdogSec=" "$work/chaosnetd.service"
# The journal is on /run (no fsync: it need only outlive the daemon) and
# survives the unit's restarts, so a crash's leases are reported at restart.
grep -q "^ExecStart=.*--state-dir /run/chaosnetd/" "$work/chaosnetd.service"
grep -q "^RuntimeDirectoryPreserve=restart" "$work/chaosnetd.service"
out=$(systemd-analyze verify "$work/chaosnetd.service" 2>&1) || { echo "$out"; exit 1; }
# verify prints warnings without failing; any line about our unit is a defect.
if grep -i "chaosnetd.service" <<<"$out"; then exit 1; fi
echo "systemd-analyze verify: ok"

# The hardening must keep systemd's own exposure rating at 2.5 or better.
score=$(systemd-analyze security --offline=true "$work/chaosnetd.service" 2>&1 |
  sed -nE 's/.*Overall exposure level for chaosnetd.service: ([0-9.]+).*/\1/p')
echo "systemd-analyze security exposure: ${score:-unknown}"
awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.5) }' || { echo "exposure above 2.5"; exit 1; }

# With the opt-in drop-in for other namespaces (systemd/netns.conf): still
# accepted, and its wider privileges stay at 3.0 or better.
mkdir -p "$work/chaosnetd.service.d"
cp "$(dirname "$unit_src")/netns.conf" "$work/chaosnetd.service.d/netns.conf"
out=$(systemd-analyze verify "$work/chaosnetd.service" 2>&1) || { echo "$out"; exit 1; }
if grep -i "chaosnetd.service" <<<"$out"; then exit 1; fi
netns_score=$(systemd-analyze security --offline=true "$work/chaosnetd.service" 2>&1 |
  sed -nE 's/.*Overall exposure level for chaosnetd.service: ([0-9.]+).*/\1/p')
echo "systemd-analyze security exposure with netns.conf: ${netns_score:-unknown}"
[[ $netns_score != "$score" ]] || { echo "the drop-in was not read"; exit 1; }
awk -v s="${netns_score:-99}" 'BEGIN { exit !(s <= 3.0) }' || { echo "exposure above 3.0"; exit 1; }
