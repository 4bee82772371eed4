#!/usr/bin/env bash
# Generates the cluster PKI and kubeconfigs under $DATA_DIR (once; delete $DATA_DIR/pki to
# regenerate): a cluster CA, a front-proxy CA for aggregated APIs (metrics-server), the
# service-account signing key, and one client certificate per component. EC P-256 keys.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

mkdir -p "$PKI_DIR" && cd "$PKI_DIR"
umask 077

key() { [ -f "$1.key" ] || openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null; }

ca() { # ca NAME CN
  key "$1"
  [ -f "$1.crt" ] || openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$1.crt"
}

cert() { # cert NAME CA SUBJECT USAGE [SANS]: USAGE is clientAuth, serverAuth or both
  [ -f "$1.crt" ] && return 0
  key "$1"
  local ext; ext=$(mktemp)
  { echo "basicConstraints=CA:FALSE"; echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$4"; [ -z "${5:-}" ] || echo "subjectAltName=$5"; } > "$ext"
  openssl req -new -key "$1.key" -subj "$3" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 3650 \
    -extfile "$ext" -out "$1.crt" 2>/dev/null
  rm -f "$1.csr" "$ext"
}

ca ca stampede-cluster-ca
ca front-proxy-ca stampede-front-proxy-ca
cert apiserver ca /CN=kube-apiserver serverAuth \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost,IP:127.0.0.1,IP:$API_SERVICE_IP,IP:$NODE_IP"
cert apiserver-kubelet-client ca "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert front-proxy-client front-proxy-ca /CN=front-proxy-client clientAuth
cert kubelet ca "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME,DNS:localhost,IP:$NODE_IP,IP:127.0.0.1"
cert kubelet-client ca "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
cert admin ca "/O=system:masters/CN=kubernetes-admin" clientAuth
cert controller-manager ca /CN=system:kube-controller-manager clientAuth
cert scheduler ca /CN=system:kube-scheduler clientAuth
cert kube-proxy ca /CN=system:kube-proxy clientAuth
[ -f sa.key ] || { key sa; openssl ec -in sa.key -pubout -out sa.pub 2>/dev/null; }

kubeconfig() { # kubeconfig FILE CERTNAME USER [SERVER]
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: stampede
  cluster:
    server: ${4:-$API_SERVER}
    certificate-authority-data: $(base64 -w0 < ca.crt)
users:
- name: $3
  user:
    client-certificate-data: $(base64 -w0 < "$2.crt")
    client-key-data: $(base64 -w0 < "$2.key")
contexts:
- name: stampede
  context: {cluster: stampede, user: $3}
current-context: stampede
KC
}
kubeconfig "$KUBECONFIG_ADMIN" admin kubernetes-admin "$API_SERVER_LOCAL"
kubeconfig controller-manager.kubeconfig controller-manager system:kube-controller-manager
kubeconfig scheduler.kubeconfig scheduler system:kube-scheduler
kubeconfig kubelet.kubeconfig kubelet-client "system:node:$NODE_NAME"
kubeconfig kube-proxy.kubeconfig kube-proxy system:kube-proxy
