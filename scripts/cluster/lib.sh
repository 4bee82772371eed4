# shellcheck shell=bash
# Shared paths and helpers for scripts/cluster/*.sh (sourced, not run).
# shellcheck disable=SC2034
CLUSTER_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CLUSTER_SCRIPTS/../.." && pwd)
source "$CLUSTER_SCRIPTS/versions.env"
CACHE_DIR=${STAMPEDE_CACHE:-$HOME/.cache/stampede}
DATA_DIR=${STAMPEDE_CLUSTER_DIR:-$REPO_ROOT/.stampede/cluster}

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Where a built component's binaries live: one folder per component and exact version.
component_bin() { echo "$CACHE_DIR/cluster/$1-$2/bin"; }

# The cluster's own network: a bridge of its own, pods and services in ranges nothing else here
# uses (buildah's default network takes 10.88.0.0/16). The node's address is the bridge's, so
# pods reach the apiserver and the kubelet through it.
BRIDGE=stampede0
POD_CIDR=10.244.0.0/16
NODE_IP=10.244.0.1
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
NODE_NAME=stampede-node
# Components reach the apiserver on the bridge address. People and tools use loopback, relayed
# to it (api-proxy): while the cluster is down a loopback client gets "connection refused"
# instead of sending its request down the default route towards a private address.
API_SERVER=https://$NODE_IP:6443
API_SERVER_LOCAL=https://127.0.0.1:6443
PKI_DIR=$DATA_DIR/pki
KUBECONFIG_ADMIN=$DATA_DIR/kubeconfig
CONTAINERD_SOCK=$DATA_DIR/containerd/containerd.sock
RUN_DIR=$DATA_DIR/run
LOG_DIR=$DATA_DIR/logs
K8S_BIN=$(component_bin kubernetes "$K8S_VERSION")
ETCD_BIN=$(component_bin etcd "$ETCD_VERSION")

kubectl() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }
ctr_k8s() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every half second until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out waiting for $what"
    sleep 0.5
  done
}

# Image archives are NAME-KEY.tar with a 16-hex-digit KEY; the glob for NAME's archives must not
# also match a longer name (prometheus vs prometheus-operator).
KEY_GLOB='[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
