#!/usr/bin/env bash
# Builds the cluster's Go programs from their pinned modules (scripts/cluster/gomod/*), one
# module at a time (the machine has 2 cores and is shared), into the cache; skips a component
# whose binaries are already there. Usage: build-components.sh [component...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

# build_one NAME VERSION LDFLAGS "BINARIES" PACKAGES...: go names a binary after its package's
# last path element without a /vN suffix (go.etcd.io/etcd/server/v3 -> server).
build_one() {
  local name=$1 version=$2 ldflags=$3 bins=$4; shift 4
  local out; out=$(component_bin "$name" "$version")
  local missing=0 bin
  for bin in $bins; do [ -x "$out/$bin" ] || missing=1; done
  [ $missing -eq 0 ] && return 0
  log "building $name $version ($*)"
  local start=$SECONDS tmp="$out.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$here/gomod/$name" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
     -ldflags="-s -w $ldflags" -o "$tmp/" "$@")
  [ ! -e "$tmp/server" ] || mv "$tmp/server" "$tmp/etcd"
  rm -rf "$out" && mv "$tmp" "$out"
  log "built $name in $((SECONDS - start)) s"
}

k8s_ldflags() {
  local v=${K8S_VERSION#v} p
  local major=${v%%.*} rest=${v#*.}; local minor=${rest%%.*}
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    printf -- '-X %s.gitVersion=%s -X %s.gitMajor=%s -X %s.gitMinor=%s -X %s.gitTreeState=clean -X %s.buildDate=1970-01-01T00:00:00Z ' \
      "$p" "$K8S_VERSION" "$p" "$major" "$p" "$minor" "$p" "$p"
  done
}

build_component() {
  case $1 in
    kubernetes) build_one kubernetes "$K8S_VERSION" "$(k8s_ldflags)" \
      "kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet \
      k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl ;;
    etcd) build_one etcd "$ETCD_VERSION" "" "etcd etcdctl" go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3 ;;
    coredns) build_one coredns "$COREDNS_VERSION" "" coredns github.com/coredns/coredns ;;
    metrics-server) build_one metrics-server "$METRICS_SERVER_VERSION" "" metrics-server \
      sigs.k8s.io/metrics-server/cmd/metrics-server ;;
    prometheus-operator) build_one prometheus-operator "$PROMETHEUS_OPERATOR_VERSION" "" \
      "operator prometheus-config-reloader" \
      github.com/prometheus-operator/prometheus-operator/cmd/operator \
      github.com/prometheus-operator/prometheus-operator/cmd/prometheus-config-reloader ;;
    local-path-provisioner) build_one local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" "" \
      local-path-provisioner github.com/rancher/local-path-provisioner ;;
    prometheus) build_one prometheus "$PROMETHEUS_VERSION" \
      "-X github.com/prometheus/common/version.Version=${PROMETHEUS_VERSION#v} -X github.com/prometheus/common/version.Branch=HEAD" \
      prometheus github.com/prometheus/prometheus/cmd/prometheus ;;
    *) die "unknown component $1" ;;
  esac
}

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(kubernetes etcd coredns metrics-server prometheus-operator
                                            local-path-provisioner prometheus)
for c in "${components[@]}"; do build_component "$c"; done
