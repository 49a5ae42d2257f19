#!/usr/bin/env bash
# Builds the tiny initramfs that boots Debian's own kernel in the test guest.
#   scripts/vm/build-initramfs.sh OUT_DIR
# Writes OUT_DIR/initramfs.cpio.gz and OUT_DIR/kernel (the path of the image
# to boot: OUT_DIR/vmlinux when it can be extracted, else /boot/vmlinuz-*). The image holds only busybox, /init (guest-init.sh) and the modules
# needed to mount the host's root over virtio-9p and overlay it; every other
# module is loaded later from the shared root's /lib/modules.
# Rebuilds only when an input changed (kernel, modules, busybox, these scripts).
# CHAOSNET_VM_KERNEL=VERSION picks a kernel instead of the default choice.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin:/sbin  # modinfo lives there; non-root PATHs lack it
# Order is resolved from modinfo's dependencies; this list only names the leaves.
boot_modules=(virtio_pci 9pnet_virtio 9p overlay)

die() { echo "build-initramfs: $*" >&2; exit 1; }
missing_pkg() {
  die "$1; install qemu-system-x86 linux-image-amd64 busybox-static: run scripts/install-deps.sh --test"
}

(( $# == 1 )) || die "usage: $0 OUT_DIR"
out_dir=$1

# The host may run a kernel without modules (cloud builds): only a kernel that
# has both a vmlinuz and a module tree can boot the guest. Prefer Debian 6.1.
pick_kernel() {
  local ver candidates=()
  for dir in /lib/modules/*/; do
    ver=$(basename "$dir")
    [[ -r /boot/vmlinuz-$ver && -d $dir/kernel ]] && candidates+=("$ver")
  done
  (( ${#candidates[@]} )) || return 1
  for ver in "${candidates[@]}"; do
    [[ $ver == 6.1.* ]] && { echo "$ver"; return; }
  done
  printf '%s\n' "${candidates[@]}" | sort -V | tail -1
}

kver=${CHAOSNET_VM_KERNEL:-}
if [[ -z $kver ]]; then
  kver=$(pick_kernel) || missing_pkg "no kernel with modules found (/boot/vmlinuz-* + /lib/modules/*)"
fi
kernel=/boot/vmlinuz-$kver
[[ -r $kernel ]] || missing_pkg "$kernel not found"
[[ -d /lib/modules/$kver/kernel ]] || missing_pkg "/lib/modules/$kver has no modules"
busybox=/bin/busybox
[[ -x $busybox ]] || missing_pkg "$busybox not found"
# The Debian 'busybox' package installs a dynamic build at the same path; the
# initramfs has no libc, so only busybox-static works.
if ldd "$busybox" >/dev/null 2>&1; then
  missing_pkg "$busybox is dynamically linked (package busybox, not busybox-static)"
fi
command -v modinfo >/dev/null || die "modinfo not found: install kmod"
command -v cpio >/dev/null || die "cpio not found: install cpio"

# Depth-first over modinfo's "depends" so that every module follows its deps.
declare -A seen=()
ordered=()
add_module() {
  local name=$1 dep deps
  [[ -n ${seen[$name]:-} ]] && return
  seen[$name]=1
  deps=$(modinfo -k "$kver" -F depends "$name" 2>/dev/null) ||
    die "module $name not found for kernel $kver"
  for dep in ${deps//,/ }; do add_module "$dep"; done
  ordered+=("$name")
}
for m in "${boot_modules[@]}"; do add_module "$m"; done

declare -A module_path=()
manifest="kernel $kver $(stat -c '%s %Y' "$kernel")"$'\n'
manifest+="busybox $(stat -c '%s %Y' "$busybox")"$'\n'
for f in "$here/build-initramfs.sh" "$here/guest-init.sh"; do
  manifest+="script $(sha256sum "$f")"$'\n'
done
for m in "${ordered[@]}"; do
  p=$(modinfo -k "$kver" -n "$m")
  module_path[$m]=$p
  manifest+="module $m $p $(stat -c '%s %Y' "$p")"$'\n'
done
stamp=$(sha256sum <<<"$manifest" | cut -d' ' -f1)

image=$out_dir/initramfs.cpio.gz
mkdir -p "$out_dir"
# Guests started side by side share the cache: one builds, the others wait.
exec 9>"$out_dir/.lock"
flock 9
if [[ -r $image && -r $out_dir/kernel && -r $(<"$out_dir/kernel") &&
      -r $out_dir/stamp && $(<"$out_dir/stamp") == "$stamp" ]]; then
  echo "build-initramfs: up to date: $image (kernel $kver)"
  exit 0
fi

root=$(mktemp -d "$out_dir/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,lower,upper,mnt,lib/modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$here/guest-init.sh" "$root/init"

# busybox insmod cannot read compressed modules: store them plain.
for m in "${ordered[@]}"; do
  p=${module_path[$m]}
  dst=$root/lib/modules/$m.ko
  case $p in
    *.ko) cp "$p" "$dst" ;;
    *.ko.xz) command -v xz >/dev/null || die "xz needed for $p"; xz -dc "$p" >"$dst" ;;
    *.ko.zst) command -v zstd >/dev/null || die "zstd needed for $p"; zstd -qdc "$p" >"$dst" ;;
    *.ko.gz) gzip -dc "$p" >"$dst" ;;
    *) die "unknown module format: $p" ;;
  esac
  echo "$m" >>"$root/lib/modules/order"
done

# Under TCG the bzImage spends ~5 s decompressing itself (Debian uses xz).
# qemu boots an uncompressed vmlinux directly through its PVH entry point, so
# unpack it once here when the kernel has CONFIG_PVH.
extract_vmlinux() {
  local magic tool off
  grep -q '^CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null || return 1
  for pair in $'\xfd7zXZ:xz -dc --single-stream' $'\x28\xb5\x2f\xfd:zstd -qdc' $'\x1f\x8b\x08:gzip -dc'; do
    magic=${pair%%:*} tool=${pair#*:}
    command -v "${tool%% *}" >/dev/null || continue
    off=$(LC_ALL=C grep -abo -F -m1 "$magic" "$kernel" | head -1 | cut -d: -f1) || continue
    [[ -n $off ]] || continue
    # The payload is followed by more bytes: the decompressors stop at the
    # end of the stream and may complain about the rest.
    tail -c +"$((off + 1))" "$kernel" | $tool >"$out_dir/vmlinux.tmp" 2>/dev/null || true
    if [[ $(head -c 4 "$out_dir/vmlinux.tmp" | od -An -c | tr -d ' ') == 177ELF ]]; then
      mv "$out_dir/vmlinux.tmp" "$out_dir/vmlinux"
      return 0
    fi
  done
  rm -f "$out_dir/vmlinux.tmp"
  return 1
}
boot_image=$kernel
rm -f "$out_dir/vmlinux"
extract_vmlinux && boot_image=$out_dir/vmlinux

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
  gzip -1 >"$image.tmp"
mv "$image.tmp" "$image"
echo "$boot_image" >"$out_dir/kernel"
echo "$stamp" >"$out_dir/stamp"
echo "build-initramfs: built $image (kernel $kver, booting $boot_image; modules: ${ordered[*]})"
