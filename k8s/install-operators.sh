#!/usr/bin/env bash
# Installs what the chart expects from the cluster: the Strimzi operator (Kafka CRDs, watching
# every namespace), kube-prometheus-stack (Prometheus Operator, Grafana with the dashboard
# sidecar), KEDA, ingress-nginx and metrics-server (HPA CPU metrics).
# Usage: k8s/install-operators.sh [all|strimzi|prometheus|keda|ingress|metrics-server|cloudnative-pg]...
# (all: every one but cloudnative-pg, which only postgres.mode=cloudnative-pg needs)
set -euo pipefail
cd "$(dirname "$0")/.."

# Strimzi: the version whose CRD schemas the chart check validates against (tools/chart-check/tools.ts).
STRIMZI_VERSION="${STRIMZI_VERSION:-1.2.0}"
KPS_VERSION="${KPS_VERSION:-79.0.0}"
KEDA_VERSION="${KEDA_VERSION:-2.18.0}"
INGRESS_NGINX_VERSION="${INGRESS_NGINX_VERSION:-4.13.3}"
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-3.13.0}"
# CloudNativePG: the version whose CRD schemas the chart check validates against.
CNPG_VERSION="${CNPG_VERSION:-1.27.1}"

need() { command -v "$1" >/dev/null || { echo "$1 is required" >&2; exit 1; }; }
need kubectl
need helm

kubectl apply -f k8s/namespaces.yaml

strimzi() {
  # The restricted pod security provider makes Strimzi give its Kafka, entity operator and
  # other pods the security context Pod Security "restricted" demands; without it a namespace
  # enforcing that level refuses them (k8s/namespaces.yaml labels the stampede namespaces so).
  helm upgrade --install strimzi strimzi-kafka-operator \
    --repo https://strimzi.io/charts/ --version "$STRIMZI_VERSION" \
    -n strimzi --set watchAnyNamespace=true \
    --set 'extraEnvs[0].name=STRIMZI_POD_SECURITY_PROVIDER_CLASS' --set 'extraEnvs[0].value=restricted' \
    --wait
}

prometheus() {
  # The Grafana sidecar loads ConfigMaps labelled grafana_dashboard=1 from every namespace;
  # Prometheus selects ServiceMonitors and PrometheusRules labelled release=kube-prometheus-stack.
  helm upgrade --install kube-prometheus-stack kube-prometheus-stack \
    --repo https://prometheus-community.github.io/helm-charts --version "$KPS_VERSION" \
    -n monitoring \
    --set grafana.sidecar.dashboards.enabled=true \
    --set grafana.sidecar.dashboards.label=grafana_dashboard \
    --set grafana.sidecar.dashboards.searchNamespace=ALL \
    --set grafana.sidecar.dashboards.folderAnnotation=grafana_folder \
    --set grafana.sidecar.dashboards.provider.foldersFromFilesStructure=true \
    --set prometheus.prometheusSpec.enableFeatures[0]=exemplar-storage \
    --wait
}

cloudnative_pg() {
  # Only for postgres.mode=cloudnative-pg (charts/stampede/values-cloudnative-pg.yaml).
  kubectl apply --server-side \
    -f "https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/release-${CNPG_VERSION%.*}/releases/cnpg-${CNPG_VERSION}.yaml"
  kubectl -n cnpg-system rollout status deployment/cnpg-controller-manager --timeout=5m
}

keda() {
  helm upgrade --install keda keda --repo https://kedacore.github.io/charts --version "$KEDA_VERSION" -n keda --wait
}

ingress() {
  helm upgrade --install ingress-nginx ingress-nginx \
    --repo https://kubernetes.github.io/ingress-nginx --version "$INGRESS_NGINX_VERSION" \
    -n ingress-nginx --create-namespace \
    --set controller.hostPort.enabled=true \
    --set controller.nodeSelector.ingress-ready=true \
    --set-string controller.tolerations[0].operator=Exists \
    --wait
}

metrics_server() {
  # kind's kubelets serve self-signed certificates.
  helm upgrade --install metrics-server metrics-server \
    --repo https://kubernetes-sigs.github.io/metrics-server/ --version "$METRICS_SERVER_VERSION" \
    -n kube-system --set 'args[0]=--kubelet-insecure-tls' --wait
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(all)
for t in "${targets[@]}"; do
  case "$t" in
    all) strimzi; prometheus; keda; ingress; metrics_server ;;
    strimzi) strimzi ;;
    prometheus) prometheus ;;
    keda) keda ;;
    ingress) ingress ;;
    metrics-server) metrics_server ;;
    cloudnative-pg) cloudnative_pg ;;
    *) echo "unknown target $t" >&2; exit 64 ;;
  esac
done
echo "Operators ready. Next: tilt up, or docs/deploy.md."
