#!/usr/bin/env bash
# Installs the Prometheus Operator into the running local cluster from the locally built images:
# its CRDs and RBAC come from the pinned module's own example manifests (in the Go module cache
# once build-components.sh has built it), in namespace "monitoring". With --check it also runs
# a Prometheus (the image built from its module) through the operator and waits for it to be Ready.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
tag=${PROMETHEUS_OPERATOR_VERSION#v}

bash "$here/build-components.sh" prometheus-operator
src=$(cd "$here/gomod/prometheus-operator" && go list -m -f '{{.Dir}}' github.com/prometheus-operator/prometheus-operator)
kubectl apply --server-side -f "$src/example/prometheus-operator-crd/" >/dev/null
kubectl create namespace monitoring --dry-run=client -o yaml | kubectl apply -f - >/dev/null
for f in "$src"/example/rbac/prometheus-operator/prometheus-operator-{service-account,cluster-role,cluster-role-binding,service,deployment}.yaml; do
  sed -e 's|namespace: default|namespace: monitoring|' \
      -e "s|quay.io/prometheus-operator/prometheus-operator:v$tag|localhost/stampede/prometheus-operator:$tag|" \
      -e "s|quay.io/prometheus-operator/prometheus-config-reloader:v$tag|localhost/stampede/prometheus-config-reloader:$tag|" \
      "$f"
  echo ---
done | kubectl apply -f - >/dev/null
kubectl wait --for=condition=Established crd/prometheuses.monitoring.coreos.com --timeout=60s >/dev/null
kubectl -n monitoring rollout status deployment/prometheus-operator --timeout=180s >/dev/null
log "Prometheus Operator $PROMETHEUS_OPERATOR_VERSION running in namespace monitoring"

[ "${1:-}" = --check ] || exit 0
kubectl -n monitoring apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ServiceAccount
metadata: {name: prometheus-check}
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: check}
spec:
  image: localhost/stampede/prometheus:${PROMETHEUS_VERSION#v}
  version: $PROMETHEUS_VERSION
  replicas: 1
  serviceAccountName: prometheus-check
  resources: {requests: {memory: 100Mi}}
YAML
for _ in $(seq 1 120); do
  kubectl -n monitoring get pod prometheus-check-0 >/dev/null 2>&1 && break; sleep 1
done
kubectl -n monitoring wait --for=condition=Ready pod/prometheus-check-0 --timeout=180s >/dev/null \
  || die "the operator's Prometheus did not become Ready: $(kubectl -n monitoring describe pod prometheus-check-0 | tail -5)"
log "ok: the operator runs Prometheus $(kubectl -n monitoring exec prometheus-check-0 -c prometheus -- prometheus --version 2>&1 | head -1)"
kubectl -n monitoring delete prometheus check >/dev/null
kubectl -n monitoring delete serviceaccount prometheus-check >/dev/null
