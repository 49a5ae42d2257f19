#!/usr/bin/env bash
# Runs inside the guest's chroot (the host's root, overlaid): loads the tc
# modules tests rely on, brings loopback up, then runs the command in CWD.
#   guest-run.sh CWD COMMAND [ARGS...]
# Called by the job.sh that run-in-guest.sh writes; exits with COMMAND's status.
set -uo pipefail

cwd=$1; shift
# The host's PATH came through; make sure the system tools are on it too.
PATH=$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
modules=(sch_netem sch_tbf sch_htb sch_ingress sch_plug cls_u32 act_mirred ifb veth)
# One modprobe for all: every process start costs ~0.1 s under emulation.
failed=()
if ! modprobe -a -q "${modules[@]}" 2>/dev/null; then
  for m in "${modules[@]}"; do modprobe -q "$m" 2>/dev/null || failed+=("$m"); done
fi
ip link set lo up || echo "chaosnet-vm: could not bring lo up"
# What the command may count on; the guest test suite fails when one is missing.
export CHAOSNET_VM_MODULES="${modules[*]}"

cd "$cwd" || { echo "chaosnet-vm: $cwd does not exist in the guest"; exit 125; }
read -r uptime _ </proc/uptime
# run-in-guest.sh reads the boot-to-command time from this line.
echo "chaosnet-vm: kernel $(</proc/sys/kernel/osrelease); modules: ${modules[*]}${failed:+; FAILED to load: ${failed[*]}}; command starts at ${uptime}s"
exec "$@"
