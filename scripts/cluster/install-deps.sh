#!/usr/bin/env bash
# Installs the Debian packages the local cluster needs, only those missing. Root only: the
# cluster itself needs root (namespaces, cgroups, iptables, mounts).
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "the local cluster needs root (namespaces, cgroups, iptables)" >&2; exit 1; }
# conntrack: kube-proxy clears stale UDP entries with it; socat: the loopback relay to the
# apiserver (and kubectl port-forward).
PACKAGES=(containerd runc containernetworking-plugins iptables buildah debootstrap conntrack socat
          ebtables ethtool iproute2 kmod openssl gcc libc6-dev)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's containerd package may start the system instance; the cluster runs its own.
service containerd stop >/dev/null 2>&1 || true
