# shellcheck shell=bash
# In-cluster add-ons (sourced by up.sh): CoreDNS, metrics-server and the local-path
# provisioner (default StorageClass) from local images; up waits
# until DNS answers through its Service and metrics.k8s.io is served.

render_addon() { # render_addon FILE: fills in this cluster's addresses and image tags
  sed -e "s|@DNS_SERVICE_IP@|$DNS_SERVICE_IP|g" -e "s|@CLUSTER_DOMAIN@|$CLUSTER_DOMAIN|g" \
      -e "s|@COREDNS_TAG@|${COREDNS_VERSION#v}|g" -e "s|@METRICS_SERVER_TAG@|${METRICS_SERVER_VERSION#v}|g" \
      -e "s|@LOCAL_PATH_TAG@|${LOCAL_PATH_PROVISIONER_VERSION#v}|g" -e "s|@LOCAL_PATH_DIR@|$DATA_DIR/local-path|g" \
      -e "s|@DEBIAN_SUITE@|$DEBIAN_SUITE|g" "$1"
}

install_addons() {
  local f
  for f in "$CLUSTER_SCRIPTS"/addons/*.yaml; do render_addon "$f" | kubectl apply -f - >/dev/null; done
  kubectl -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null
  kubectl -n kube-system rollout status deployment/metrics-server --timeout=180s >/dev/null
  kubectl -n local-path-storage rollout status deployment/local-path-provisioner --timeout=180s >/dev/null
  wait_for 120 "the metrics.k8s.io API" kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes
}
