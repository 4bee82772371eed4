#!/usr/bin/env bash
# Proves the running local cluster does what the project relies on: the node is Ready, CoreDNS
# resolves Service names, a pod reaches another pod's HTTP server through a Service by DNS name,
# metrics-server serves `kubectl top`, an HPA reads CPU metrics, and a PersistentVolumeClaim of
# the default StorageClass binds and holds data. Exits non-zero on the first
# failure, naming it. Leaves nothing behind (namespace stampede-smoke is deleted).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
NS=stampede-smoke
NODE_IMAGE=localhost/stampede/node:$NODE_VERSION
t0=$SECONDS
pass() { log "ok: $* ($((SECONDS - t0)) s)"; }
trap 'kubectl delete namespace $NS --wait=false >/dev/null 2>&1 || true' EXIT

[ "$(kubectl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ] \
  || die "node $NODE_NAME is not Ready"
pass "node $NODE_NAME Ready ($(kubectl get node "$NODE_NAME" -o jsonpath='{.status.nodeInfo.kubeletVersion}, {.status.nodeInfo.containerRuntimeVersion}'))"

# A previous run's namespace may still be terminating.
kubectl delete namespace $NS --ignore-not-found --wait=true --timeout=120s >/dev/null
kubectl create namespace $NS >/dev/null
kubectl -n $NS apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: $NODE_IMAGE
          imagePullPolicy: Never
          command: [node, -e, "require('http').createServer((q, s) => s.end('hello from ' + require('os').hostname())).listen(8080)"]
          ports: [{containerPort: 8080}]
          readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
          resources: {requests: {cpu: 50m, memory: 32Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 2
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
YAML
kubectl -n $NS rollout status deployment/web --timeout=120s >/dev/null
pass "a pod from $NODE_IMAGE serves HTTP behind Service web"

# run_pod NAME COMMAND...: runs a one-off pod from the Node image, prints its output, fails with it.
run_pod() {
  local name=$1; shift
  kubectl -n $NS run "$name" --image="$NODE_IMAGE" --image-pull-policy=Never --restart=Never \
    --command -- "$@" >/dev/null
  kubectl -n $NS wait --for=jsonpath='{.status.phase}'=Succeeded "pod/$name" --timeout=60s >/dev/null \
    || { kubectl -n $NS logs "$name" >&2 || true; die "pod $name did not succeed"; }
  kubectl -n $NS logs "$name"
}

# The pod also checks its image's root filesystem came through the import whole: an empty
# directory of the base layer (/srv) and /tmp must be there.
out=$(run_pod dns node -e "['/srv', '/tmp', '/etc/os-release'].forEach(p => require('fs').statSync(p));
  require('dns').promises.lookup('kubernetes.default').then(a => console.log(a.address))")
[ "$out" = "$API_SERVICE_IP" ] || die "kubernetes.default resolved to '$out', expected $API_SERVICE_IP"
pass "CoreDNS resolves kubernetes.default to $out"

out=$(run_pod client node -e "fetch('http://web.$NS.svc.$CLUSTER_DOMAIN').then(r => r.text()).then(t => console.log(t))")
[[ "$out" == "hello from web-"* ]] || die "the client pod got '$out' from http://web.$NS"
pass "a pod reaches Service web by DNS name: '$out'"

top=""
for _ in $(seq 1 60); do top=$(kubectl top node "$NODE_NAME" --no-headers 2>/dev/null) && break; sleep 1; done
[ -n "$top" ] || die "kubectl top node returned no metrics"
pass "kubectl top node: $top"

util=""
for _ in $(seq 1 90); do
  util=$(kubectl -n $NS get hpa web -o jsonpath='{.status.currentMetrics[0].resource.current.averageUtilization}')
  [ -n "$util" ] && break; sleep 1
done
[ -n "$util" ] || die "HPA web got no CPU metrics: $(kubectl -n $NS describe hpa web | tail -5)"
pass "HPA web reads CPU utilisation: ${util}% of request"
kubectl -n $NS apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 16Mi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  restartPolicy: Never
  containers:
    - name: writer
      image: $NODE_IMAGE
      imagePullPolicy: Never
      command: [node, -e, "const f = require('fs'); f.writeFileSync('/data/seat', '42'); console.log(f.readFileSync('/data/seat', 'utf8'))"]
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
YAML
kubectl -n $NS wait --for=jsonpath='{.status.phase}'=Succeeded pod/writer --timeout=90s >/dev/null \
  || die "pod writer with a PersistentVolumeClaim did not succeed: $(kubectl -n $NS describe pvc data | tail -3)"
[ "$(kubectl -n $NS logs writer)" = 42 ] || die "pod writer read back '$(kubectl -n $NS logs writer)'"
pass "a PersistentVolumeClaim of the default StorageClass binds ($(kubectl -n $NS get pvc data -o jsonpath='{.spec.storageClassName}')) and holds a file"
log "smoke passed in $((SECONDS - t0)) s"
