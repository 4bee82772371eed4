#!/bin/sh
# Keeps this pod's Redis node in the Redis Cluster, with no install hook and no operator. Runs
# beside redis-server in every pod of the StatefulSet, every REDIS_KEEPER_PERIOD seconds:
# - forms the cluster once: on the first pod, when every peer answers and none belongs to a
#   cluster yet (a first install);
# - heals addresses: each peer is reached by its stable DNS name; a peer this node knows under an
#   older IP (every pod rescheduled, all IPs new) is met again at its current one, and Redis
#   updates the known node instead of adding one;
# - joins a new or replaced node (empty data, e.g. a lost volume or a scale-up): it meets the
#   formed cluster and becomes a replica of the master with the fewest replicas; the failed
#   entry the replaced node left behind is forgotten.
# Needs: REDIS_PEERS (every pod's DNS name, the first one forms the cluster), POD_NAME,
# REDIS_DOMAIN (<headless service>.<namespace>.svc), REDIS_REPLICAS; REDISCLI_AUTH when auth is on.
# REDIS_PORT, REDIS_BUS_PORT, REDIS_SELF_HOST and REDIS_KEEPER_HOSTS_FILE (name lookups from a
# hosts file first) let charts/test/redis-keeper.int.test.ts run it against local nodes.
set -u

self="$POD_NAME.$REDIS_DOMAIN"
first=${REDIS_PEERS%% *}
period=${REDIS_KEEPER_PERIOD:-5}
port=${REDIS_PORT:-6379}
bus=${REDIS_BUS_PORT:-$((port + 10000))}
here=${REDIS_SELF_HOST:-127.0.0.1}
heartbeat=${REDIS_KEEPER_HEARTBEAT:-/run/keeper/heartbeat}
slotless_rounds=0

log() { echo "keeper: $*"; }
cli() { redis-cli -h "$here" -p "$port" "$@" 2>/dev/null | tr -d '\r'; }
peer() { h=$1; shift; redis-cli -h "$h" -p "$port" "$@" 2>/dev/null | tr -d '\r'; }
field() { sed -n "s/^$1://p"; }

# The current IP of a DNS name (getent in glibc and musl images, nslookup as a fallback).
resolve() {
  if [ -n "${REDIS_KEEPER_HOSTS_FILE:-}" ]; then
    awk -v h="$1" '$2 == h {print $1; exit}' "$REDIS_KEEPER_HOSTS_FILE"
    return
  fi
  found=$(getent hosts "$1" 2>/dev/null | awk '{print $1; exit}')
  [ -n "$found" ] || found=$(nslookup "$1" 2>/dev/null | awk '/^Address: /{a=$2} END{if (a) print a}')
  echo "$found"
}

# "hostname ip" for every node this node knows: CLUSTER NODES' second field is ip:port@bus,hostname.
known_addresses() {
  cli cluster nodes | awk '{split($2, a, ","); split(a[1], b, ":"); if (a[2] != "") print a[2], b[1]}'
}

form() {
  addrs=""
  for h in $REDIS_PEERS; do
    ip=$(resolve "$h")
    [ -n "$ip" ] && [ "$(peer "$ip" ping)" = "PONG" ] || return 0
    info=$(peer "$ip" cluster info)
    [ "$(echo "$info" | field cluster_known_nodes)" = "1" ] && [ "$(echo "$info" | field cluster_slots_assigned)" = "0" ] || return 0
    addrs="$addrs $ip:$port"
  done
  log "every peer answers and none is in a cluster: forming it with $REDIS_REPLICAS replica(s) per master"
  # shellcheck disable=SC2086 # one argument per node
  redis-cli --cluster create $addrs --cluster-replicas "$REDIS_REPLICAS" --cluster-yes
}

# A node with no cluster yet meets the first peer it finds in a formed cluster.
join() {
  for h in $REDIS_PEERS; do
    [ "$h" = "$self" ] && continue
    ip=$(resolve "$h")
    [ -n "$ip" ] || continue
    if [ "$(peer "$ip" cluster info | field cluster_state)" = "ok" ]; then
      log "joining the cluster through $h ($ip)"
      cli cluster meet "$ip" "$port" "$bus" >/dev/null
      return 0
    fi
  done
  return 1
}

heal() {
  known=$(known_addresses)
  # A node learns its own address only from a MEET: after a move, ask a peer to meet it.
  mine=$(resolve "$self")
  was=$(cli cluster nodes | awk '$3 ~ /myself/ {split($2, a, ":"); print a[1]}')
  if [ -n "$mine" ] && [ -n "$was" ] && [ "$was" != "$mine" ]; then
    for h in $REDIS_PEERS; do
      [ "$h" = "$self" ] && continue
      ip=$(resolve "$h")
      if [ -n "$ip" ] && [ "$(peer "$ip" cluster meet "$mine" "$port" "$bus")" = "OK" ]; then
        log "this node moved from $was to $mine: $h met it there"
        break
      fi
    done
  fi
  for h in $REDIS_PEERS; do
    [ "$h" = "$self" ] && continue
    ip=$(resolve "$h")
    [ -n "$ip" ] || continue
    was=$(echo "$known" | awk -v h="$h" '$1 == h {print $2; exit}')
    if [ -n "$was" ] && [ "$was" != "$ip" ]; then
      log "$h moved from $was to $ip: meeting it there"
      cli cluster meet "$ip" "$port" "$bus" >/dev/null
    fi
  done
  # A node that failed, or lost its address to another node (noaddr), while a live node now
  # answers for its DNS name was replaced: forget it here (each node's keeper does the same on
  # its own node).
  cli cluster nodes | awk '{split($2, a, ","); print $1, a[2], $3}' | while read -r id host flags; do
    case "$flags" in *fail* | *noaddr*) ;; *) continue ;; esac
    [ -n "$host" ] || continue
    if cli cluster nodes | awk -v h="$host" -v id="$id" '{split($2, a, ",")} a[2] == h && $1 != id && $3 !~ /fail|noaddr/ {found=1} END{exit !found}'; then
      log "forgetting $id: $host was replaced"
      cli cluster forget "$id" >/dev/null
    fi
  done
  # A master without slots in a formed cluster (a joined or replaced node) becomes a replica of
  # the master with the fewest replicas, once it has stayed so for two rounds (so that it does
  # not race `redis-cli --cluster create`, which assigns replicas itself).
  myself=$(cli cluster nodes | awk '$3 ~ /myself/')
  case "$myself" in
    *master*)
      if [ "$(echo "$myself" | awk '{print NF}')" -le 8 ] && [ "$(cli cluster info | field cluster_slots_assigned)" = "16384" ]; then
        slotless_rounds=$((slotless_rounds + 1))
        if [ "$slotless_rounds" -ge 2 ]; then
          target=$(cli cluster nodes | awk '
            $3 ~ /master/ && $3 !~ /fail/ && NF > 8 {masters[$1] = 0}
            $3 ~ /slave/ && $4 != "-" {replicas[$4]++}
            END {best = ""; for (m in masters) { n = replicas[m] + 0; if (best == "" || n < min) {best = m; min = n} } print best}')
          if [ -n "$target" ]; then
            log "no slots here: replicating $target"
            cli cluster replicate "$target" >/dev/null
          fi
          slotless_rounds=0
        fi
      fi
      ;;
    *) slotless_rounds=0 ;;
  esac
}

mkdir -p "$(dirname "$heartbeat")"
while true; do
  touch "$heartbeat"
  if [ "$(cli ping)" = "PONG" ]; then
    info=$(cli cluster info)
    if [ "$(echo "$info" | field cluster_known_nodes)" = "1" ] && [ "$(echo "$info" | field cluster_slots_assigned)" = "0" ]; then
      join || { [ "$self" = "$first" ] && form; }
    else
      heal
    fi
  fi
  sleep "$period"
done
