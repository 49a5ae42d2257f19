#!/usr/bin/env bash
# Installs, from Debian packages only, what chaosnet needs to build and run.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also what the test suite needs (qemu guest
#                                    with a real Debian kernel, ping, iproute2)
# Skips apt entirely when everything is already installed.
set -euo pipefail

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

packages=(
  cmake g++ make pkg-config
  libnl-3-dev
  libboost-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libspdlog-dev libsystemd-dev libcli11-dev libssl-dev openssl zlib1g-dev
  libtomlplusplus-dev
  libgtest-dev libgmock-dev
  iproute2
  help2man
  python3-grpcio python3-protobuf
)
if (( want_test )); then
  packages+=(
    qemu-system-x86 linux-image-amd64 busybox-static kmod cpio gzip xz-utils
    iputils-ping procps systemd strace iperf3
    prometheus
    clang libclang-rt-14-dev clang-format
    python3-pytest python3-venv python3-setuptools zsh man-db netcat-openbsd
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} == 0 )); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
if (( EUID != 0 )); then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
