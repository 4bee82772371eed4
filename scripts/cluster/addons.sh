# shellcheck shell=bash
# In-cluster add-ons (sourced by up.sh): CoreDNS and metrics-server from local images; up waits
# until DNS answers through its Service and metrics.k8s.io is served.

render_addon() { # render_addon FILE: fills in this cluster's addresses and image tags
  sed -e "s|@DNS_SERVICE_IP@|$DNS_SERVICE_IP|g" -e "s|@CLUSTER_DOMAIN@|$CLUSTER_DOMAIN|g" \
      -e "s|@COREDNS_TAG@|${COREDNS_VERSION#v}|g" -e "s|@METRICS_SERVER_TAG@|${METRICS_SERVER_VERSION#v}|g" "$1"
}

install_addons() {
  local f
  for f in "$CLUSTER_SCRIPTS"/addons/*.yaml; do render_addon "$f" | kubectl apply -f - >/dev/null; done
  kubectl -n kube-system rollout status deployment/coredns --timeout=180s >/dev/null
  kubectl -n kube-system rollout status deployment/metrics-server --timeout=180s >/dev/null
  wait_for 120 "the metrics.k8s.io API" kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes
}
