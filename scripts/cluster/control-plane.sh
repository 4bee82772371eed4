# shellcheck shell=bash
# The control plane (sourced by up.sh): kube-apiserver on the bridge address (pods reach it as
# the kubernetes Service, whose endpoint must not be a loopback address), the controller-manager
# and the scheduler on loopback. The apiserver serves aggregated APIs (metrics-server) through
# the front-proxy client certificate and routes to their endpoints directly.

start_control_plane() {
  local p=$PKI_DIR
  start_daemon kube-apiserver "$K8S_BIN/kube-apiserver" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port 6443 \
    --etcd-servers http://127.0.0.1:2379 \
    --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --client-ca-file "$p/ca.crt" --tls-cert-file "$p/apiserver.crt" --tls-private-key-file "$p/apiserver.key" \
    --kubelet-client-certificate "$p/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$p/apiserver-kubelet-client.key" --kubelet-certificate-authority "$p/ca.crt" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file "$p/sa.pub" --service-account-signing-key-file "$p/sa.key" \
    --requestheader-client-ca-file "$p/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$p/front-proxy-client.crt" --proxy-client-key-file "$p/front-proxy-client.key" \
    --enable-aggregator-routing=true --profiling=false
  wait_ready 90 kube-apiserver curl -fsS --cacert "$p/ca.crt" "$API_SERVER/readyz"
  # -L names a lock file in our run folder, which also marks the process as ours.
  start_daemon api-proxy socat -L "$RUN_DIR/api-proxy.lock" \
    TCP-LISTEN:6443,bind=127.0.0.1,reuseaddr,fork "TCP:$NODE_IP:6443"
  wait_ready 10 api-proxy curl -fsS --cacert "$p/ca.crt" "$API_SERVER_LOCAL/readyz"

  start_daemon kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig "$p/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$p/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$p/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
    --service-cluster-ip-range "$SERVICE_CIDR" --cluster-name stampede \
    --cluster-signing-cert-file "$p/ca.crt" --cluster-signing-key-file "$p/ca.key" \
    --root-ca-file "$p/ca.crt" --service-account-private-key-file "$p/sa.key" --profiling=false
  start_daemon kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig "$p/scheduler.kubeconfig" --authentication-kubeconfig "$p/scheduler.kubeconfig" \
    --authorization-kubeconfig "$p/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --profiling=false
  wait_ready 60 kube-controller-manager curl -fsSk https://127.0.0.1:10257/healthz
  wait_ready 60 kube-scheduler curl -fsSk https://127.0.0.1:10259/healthz
}
