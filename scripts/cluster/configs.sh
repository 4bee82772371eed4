#!/usr/bin/env bash
# Writes the configuration of the cluster's own containerd, CNI network, kubelet and kube-proxy
# under $DATA_DIR/config (regenerated on every start; nothing here is edited by hand).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
CONF=$DATA_DIR/config
mkdir -p "$CONF" "$DATA_DIR/cni/net.d" "$DATA_DIR/containerd"

# containerd: its own root, state, socket and runc root, so the system containerd (if any) and
# this one never share anything; pods' sandbox is the locally built pause image.
cat > "$CONF/containerd.toml" <<TOML
version = 2
root = "$DATA_DIR/containerd/root"
state = "$DATA_DIR/containerd/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp"]
[grpc]
  address = "$CONTAINERD_SOCK"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$DATA_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/stampede/pause:$PAUSE_VERSION"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  # This VM refuses lowering oom_score_adj below the current value (no CAP_SYS_RESOURCE): keep
  # pods' values at or above containerd's own instead of failing every sandbox.
  restrict_oom_score_adj = true
  # Pod network namespaces under the state dir, not /var/run/netns: all of it is ours.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$DATA_DIR/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DATA_DIR/cni/net.d"
TOML

# The pod network: one bridge, addresses from host-local, masquerade to the outside (CoreDNS
# forwards to the host's resolver), portmap for hostPort. Pods get the MTU of the host's route
# out (1400 on this VM): with the bridge's default 1500, large packets to the outside stall.
uplink=$(ip -o route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1); exit}')
mtu=$(cat "/sys/class/net/${uplink:-lo}/mtu" 2>/dev/null || echo 1500)
[ "$mtu" -le 1500 ] || mtu=1500
cat > "$DATA_DIR/cni/net.d/10-stampede.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "stampede",
  "plugins": [
    {"type": "bridge", "bridge": "$BRIDGE", "mtu": $mtu, "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$DATA_DIR/cni/ipam",
              "ranges": [[{"subnet": "$POD_CIDR", "gateway": "$NODE_IP"}]],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON

# kubelet: cgroupfs on this VM's cgroup v1 hierarchy (allowed explicitly), no swap check, serving
# on the bridge address only. Image garbage collection is off (images cannot be pulled again
# here) and eviction thresholds are absolute, so a big disk that is mostly used still runs pods.
cat > "$CONF/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI_DIR/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI_DIR/kubelet.crt
tlsPrivateKeyFile: $PKI_DIR/kubelet.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: [$DNS_SERVICE_IP]
clusterDomain: $CLUSTER_DOMAIN
resolvConf: /etc/resolv.conf
podLogsDir: $DATA_DIR/pod-logs
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: 200Mi
  nodefs.available: 2Gi
  nodefs.inodesFree: 1%
  imagefs.available: 2Gi
maxPods: 110
YAML

cat > "$CONF/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $PKI_DIR/kube-proxy.kubeconfig}
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
clusterCIDR: $POD_CIDR
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
nodePortAddresses: ["$NODE_IP/32"]
# Zero leaves the host's conntrack sysctls as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML
