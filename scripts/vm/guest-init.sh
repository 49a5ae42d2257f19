#!/bin/sh
# PID 1 of the test guest (busybox sh inside the initramfs).
# Mounts the host's root (virtio-9p tag "hostroot", read-only) under a tmpfs
# overlay so that the guest can write anywhere without touching the host, adds
# the control share (tag "ctl") at /run/chaosnet-vm, the directories the
# guest's own /tmp, /run and /dev/shm would hide (tags "share0".., paths in
# ctl's "shares", overlaid the same way) and the optional results share (tag
# "out") at the same paths as on the host, then runs /run/chaosnet-vm/job.sh
# in a chroot of that root.
# Whatever happens it reports "CHAOSNET-VM-EXIT: <status>" on the console and
# powers off: the host learns the status only from the guest.
/bin/busybox --install -s /bin
export PATH=/bin

marker() {
  echo "CHAOSNET-VM-EXIT: $1"
  sync
  poweroff -f
  sleep 5  # poweroff -f returns before the machine stops
}
fail() {
  echo "chaosnet-vm: guest setup failed: $*"
  marker 125
}

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 1 >/proc/sys/kernel/printk 2>/dev/null  # keep kernel chatter off the test output

while read -r m; do
  insmod "/lib/modules/$m.ko" || fail "insmod $m"
done </lib/modules/order

arg() { sed -nE "s/.*(^| )chaosnet\.$1=([^ ]*).*/\2/p" /proc/cmdline; }
rootcache=$(arg cache); rootcache=${rootcache:-loose}
nine="trans=virtio,version=9p2000.L,msize=262144"
mount -t 9p -o "$nine,ro,cache=$rootcache" hostroot /lower || fail "mount hostroot"
mount -t tmpfs -o mode=0755 upper /upper || fail "mount tmpfs upper"
# overlay_onto LOWER UPPER TARGET: TARGET shows LOWER, writable into the tmpfs
# directory UPPER (e.g. /var/lib/chaosnetd), and the writes vanish at
# power-off; LOWER itself, read-only, when chaosnet.overlay=0 or the overlay
# fails.
overlay_onto() {
  mkdir -p "$2/data" "$2/work"
  if [ "$(arg overlay)" = 0 ]; then
    mount --bind "$1" "$3"
  elif ! mount -t overlay -o "lowerdir=$1,upperdir=$2/data,workdir=$2/work" overlay "$3"; then
    echo "chaosnet-vm: overlay on $3 failed; it stays read-only"
    mount --bind "$1" "$3"
  fi
}
overlay_onto /lower /upper /mnt || fail "mount the host root"

r=/mnt
mount -t proc proc $r/proc || fail "mount proc"
mount -t sysfs sys $r/sys || fail "mount sys"
mount -t devtmpfs dev $r/dev || fail "mount dev"
mkdir -p $r/dev/pts $r/dev/shm
# What udev would add: bash's process substitution needs /dev/fd.
ln -sf /proc/self/fd $r/dev/fd
ln -sf /proc/self/fd/0 $r/dev/stdin
ln -sf /proc/self/fd/1 $r/dev/stdout
ln -sf /proc/self/fd/2 $r/dev/stderr
mount -t devpts -o newinstance,ptmxmode=0666 devpts $r/dev/pts
mount -t tmpfs tmpfs $r/dev/shm
mount -t tmpfs -o mode=1777 tmpfs $r/tmp || fail "mount /tmp"
mount -t tmpfs -o mode=0755 tmpfs $r/run || fail "mount /run"
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup 2>/dev/null
mkdir -p $r/run/chaosnet-vm $r/run/netns
mount -t 9p -o "$nine,cache=none" ctl $r/run/chaosnet-vm || fail "mount ctl share"
ctl=$r/run/chaosnet-vm

i=0
while IFS= read -r dir; do
  mkdir -p "/share$i" "$r$dir" || fail "mkdir $dir"
  mount -t 9p -o "$nine,ro,cache=$rootcache" "share$i" "/share$i" || fail "mount share of $dir"
  overlay_onto "/share$i" "/upper/share$i" "$r$dir" || fail "mount $dir"
  i=$((i + 1))
done <$ctl/shares

if [ -s $ctl/out ]; then
  out=$(cat $ctl/out)
  mkdir -p "$r$out" || fail "mkdir $out"
  mount -t 9p -o "$nine,cache=none" out "$r$out" || fail "mount out share at $out"
fi

chroot $r /bin/bash /run/chaosnet-vm/job.sh </dev/null
status=$?
echo "$status" >$ctl/status
marker "$status"
