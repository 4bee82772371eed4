# shellcheck shell=bash
# The cluster's host networking (sourced): its own bridge carrying the node address, the
# kernel settings pods need, and the full teardown of what kube-proxy, CNI and containerd add.
# Kernel settings are saved before the first change and put back by network_down.

SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables)

network_up() {
  modprobe br_netfilter 2>/dev/null || true
  modprobe overlay 2>/dev/null || true
  local saved=$RUN_DIR/sysctl.saved s
  mkdir -p "$RUN_DIR"
  [ -f "$saved" ] || for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done > "$saved"
  # Pods reach Services through DNAT on the host, then go back out over the bridge.
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  ip addr replace "$NODE_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# Pod network namespaces are the CRI's cni-* ones whose interface holds an address of ours.
our_netns() {
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^cni-' || true); do
    ip -n "$ns" -4 addr show 2>/dev/null | grep -q "inet ${POD_CIDR%.*.*}\." && echo "$ns"
  done
  return 0
}

# iptables_clean TOOL: deletes every rule that jumps to a KUBE-* or CNI-* chain, then those
# chains (kube-proxy, the kubelet and the CNI bridge/portmap plugins make them; nothing else here
# uses those prefixes).
iptables_clean() {
  local tool=$1 table dump chains chain
  command -v "$tool-save" >/dev/null || return 0
  for table in filter nat mangle raw; do
    dump=$("$tool-save" -t "$table" 2>/dev/null) || continue
    chains=$(grep -oE '^:(KUBE-|CNI-)[^ ]+' <<<"$dump" | cut -c2-) || continue
    # In --noflush mode, declaring a chain empties it; the rules hooking it in go too. Deleting
    # the emptied chains is a second batch.
    { echo "*$table"; grep -E '^:(KUBE-|CNI-)' <<<"$dump"
      grep -E '^-A ' <<<"$dump" | grep -vE '^-A (KUBE-|CNI-)' | grep -E -- '-j (KUBE-|CNI-)' | sed 's/^-A /-D /' || true
      echo COMMIT; } | "$tool-restore" -w 5 --noflush
    for chain in $chains; do "$tool" -w 5 -t "$table" -X "$chain"; done
  done
}

network_down() {
  local ns link
  for ns in $(our_netns); do ip netns delete "$ns" 2>/dev/null || true; done
  for link in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$link" 2>/dev/null || true
  done
  ip link delete "$BRIDGE" 2>/dev/null || true
  iptables_clean iptables
  iptables_clean ip6tables
  if [ -e /proc/net/ip_tables_names ]; then iptables_clean iptables-legacy; fi
  if [ -e /proc/net/ip6_tables_names ]; then iptables_clean ip6tables-legacy; fi
  rm -f /var/lib/cni/results/stampede-* 2>/dev/null || true
  local saved=$RUN_DIR/sysctl.saved
  if [ -f "$saved" ]; then
    # shellcheck disable=SC2046
    sysctl -qw $(cat "$saved") && rm -f "$saved"
  fi
}
