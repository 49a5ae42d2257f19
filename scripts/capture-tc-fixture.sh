#!/bin/bash
# Regenerates one encoder fixture: the exact netlink request `tc` sends for a
# command, captured with strace inside a throwaway network namespace (so the
# host's interfaces are never touched). tc sends the request before the kernel
# answers, so a kind the host kernel lacks (netem) is captured all the same.
#
#   scripts/capture-tc-fixture.sh OUT.txt qdisc add dev v0 root handle ca00: netem delay 100ms
#
# The command must name device v0 (a veth created in the namespace). The
# fixture is the command on a "# tc ..." line followed by the request bytes
# in hex, 16 per line. Needs root, strace and iproute2.
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 OUT.txt TC-ARGS..." >&2
  exit 2
fi
out=$1
shift

ns="cn-fix-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add v0 type veth peer name v1

# -e write=all dumps the iovec of every sendmsg as "| 00000  hex ... |" rows;
# the first sendmsg is the request itself.
trace=$(ip netns exec "$ns" strace -qq -e trace=sendmsg -e write=all tc "$@" 2>&1 >/dev/null || true)
hex=$(awk '
  /^sendmsg\(/ { n++ }
  n == 1 && /^ \| [0-9a-f]+  / {
    line = substr($0, 11, 49)       # the hex columns, without offset and ASCII
    gsub(/  +/, " ", line); sub(/^ /, "", line); sub(/ +$/, "", line)
    print line
  }' <<<"$trace")
if [[ -z "$hex" ]]; then
  echo "no sendmsg captured; strace said:" >&2
  echo "$trace" >&2
  exit 1
fi
{
  echo "# tc $*"
  echo "$hex"
} >"$out"
echo "wrote $out ($(wc -w <<<"$hex") bytes)"
