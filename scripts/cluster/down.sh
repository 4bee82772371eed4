#!/usr/bin/env bash
# Stops the local cluster and removes everything it put on the machine: its processes (and the
# containers' processes), mounts, pod network namespaces, veths, bridge, KUBE-*/CNI-* iptables
# chains and kernel settings. Keeps the PKI, the built binaries and the image store. Safe to run
# twice and after a crashed cluster:up. The next cluster:up starts an empty cluster.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/daemons.sh"
source "$here/network.sh"
quiet=${1:-}
t0=$SECONDS
[ -d "$DATA_DIR" ] || { [ "$quiet" ] || log "nothing to stop"; exit 0; }

stop_daemons kubelet kube-proxy kube-scheduler kube-controller-manager
# Containers first, through containerd while it runs, so the shims unmount their rootfs.
if owned_pid containerd >/dev/null && [ -S "$CONTAINERD_SOCK" ]; then
  for task in $(ctr_k8s tasks ls -q 2>/dev/null); do
    ctr_k8s tasks kill -a -s SIGKILL "$task" >/dev/null 2>&1 || true
  done
  for task in $(ctr_k8s tasks ls -q 2>/dev/null); do
    ctr_k8s tasks delete -f "$task" >/dev/null 2>&1 || true
  done
fi
# The apiserver drains for 10 s and more after SIGTERM; its state is discarded below anyway.
STOP_GRACE=3 stop_daemons containerd api-proxy kube-apiserver
stop_daemons etcd

# What a crash can leave: container processes (in the kubelet's kubepods cgroups) and shims
# serving our containerd socket.
# (nullglob is on: an empty list must never reach cat, which would read stdin, or find, which
# would walk the current directory.)
kill_leftovers() {
  local pids procs=(/sys/fs/cgroup/*/kubepods/**/cgroup.procs)
  pids=""
  [ ${#procs[@]} -eq 0 ] || pids=$(cat "${procs[@]}" 2>/dev/null || true)
  pids+=" $(pgrep -f -- "-address $CONTAINERD_SOCK" || true)"
  # shellcheck disable=SC2086
  [ -z "${pids// /}" ] || kill -KILL $pids 2>/dev/null || true
}
shopt -s globstar nullglob
kill_leftovers
for _ in 1 2 3 4 5 6 7 8 9 10; do
  [ -z "$(pgrep -f -- "-address $CONTAINERD_SOCK" || true)" ] && break
  sleep 0.2; kill_leftovers
done
# Empty kubepods cgroups, deepest first.
kubepods=(/sys/fs/cgroup/*/kubepods)
[ ${#kubepods[@]} -eq 0 ] || find "${kubepods[@]}" -depth -type d -exec rmdir {} + 2>/dev/null || true

# Mounts under the data folder (overlay rootfs, sandbox shm, pod volumes), deepest first.
for _ in 1 2 3; do
  mounts=$(awk -v d="$DATA_DIR/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r)
  [ -n "$mounts" ] || break
  for m in $mounts; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
done
network_down

# Pod log links the kubelet keeps in a fixed place, pointing into our data folder.
for link in /var/log/containers/*.log; do
  [[ "$(readlink "$link")" == "$DATA_DIR/"* ]] && rm -f "$link"
done
# State of this cluster (the next up starts empty); PKI, configs and the image store stay.
rm -f "$RUN_DIR"/*.lock "$CONTAINERD_SOCK" "$CONTAINERD_SOCK.ttrpc"
rm -rf "$DATA_DIR/etcd" "$DATA_DIR/kubelet" "$DATA_DIR/local-path" "$DATA_DIR/pod-logs" "$DATA_DIR/cni/ipam" \
  "$DATA_DIR/containerd/state" "$DATA_DIR/containerd/runc"
[ "$quiet" ] || log "cluster down in $((SECONDS - t0)) s"
