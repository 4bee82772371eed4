#!/usr/bin/env bash
# Brings up a single-node Kubernetes cluster on this machine: builds what is missing (cached),
# then starts etcd, the control plane, its own containerd, the kubelet and kube-proxy, waits for
# the node to be Ready and installs CoreDNS, metrics-server and the local-path provisioner (the
# default StorageClass) from locally built images.
# Everything listens on loopback or on the cluster's own bridge. Starts clean every time: it
# first runs down.sh, which also clears what a crashed run left.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/daemons.sh"
t0=$SECONDS

bash "$here/install-deps.sh"
bash "$here/build-components.sh"
bash "$here/images/build-images.sh"
t_build=$((SECONDS - t0))
bash "$here/down.sh" --quiet
# One cluster per machine: another clone's cluster holds the same ports and bridge, and this
# clone's down.sh does not know it. Refuse, naming what holds them.
held=$(ss -Hltnp 2>/dev/null | awk '$4 ~ /:(2379|2380|6443|10250|10257|10259)$/' || true)
[ -z "$held" ] || die "another cluster (or program) holds the cluster's ports; stop it first (its clone's npm run cluster:down):
$held"
ip link show "$BRIDGE" >/dev/null 2>&1 && die "the bridge $BRIDGE exists and is not this clone's: another clone's cluster runs (its npm run cluster:down removes it)"
bash "$here/pki.sh"
bash "$here/configs.sh"
source "$here/network.sh"
network_up

start_daemon etcd "$ETCD_BIN/etcd" --name stampede --data-dir "$DATA_DIR/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster stampede=http://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
  --log-level warn
start_daemon containerd containerd --config "$DATA_DIR/config/containerd.toml"
wait_ready 60 etcd curl -fsS http://127.0.0.1:2379/health

source "$here/control-plane.sh"
source "$here/import-images.sh"
start_control_plane

wait_ready 60 containerd ctr --address "$CONTAINERD_SOCK" version
import_images

start_daemon kubelet "$K8S_BIN/kubelet" --config "$DATA_DIR/config/kubelet.yaml" \
  --kubeconfig "$PKI_DIR/kubelet.kubeconfig" --root-dir "$DATA_DIR/kubelet" \
  --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v=1
start_daemon kube-proxy "$K8S_BIN/kube-proxy" --config "$DATA_DIR/config/kube-proxy.yaml"
wait_ready 120 kubelet kubectl get node "$NODE_NAME"
wait_ready 120 kubelet kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=1s
check_daemon kube-proxy
# Pods can be created once the controller-manager has made the namespaces' service accounts.
wait_ready 60 kube-controller-manager kubectl -n default get serviceaccount default

source "$here/addons.sh"
install_addons

log "cluster up in $((SECONDS - t0)) s (builds and image checks $t_build s)"
log "kubeconfig: $KUBECONFIG_ADMIN"
echo "export KUBECONFIG=$KUBECONFIG_ADMIN"
