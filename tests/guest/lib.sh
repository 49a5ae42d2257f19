# Shared by the guest shell tests (sourced, not run): two throwaway network
# namespaces joined by veth, removed on exit, and a range check.

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
