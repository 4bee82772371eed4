#!/bin/sh
# Starts one node of a Kafka StatefulSet in KRaft mode (broker and controller in one process), the
# way the project's local stack configures its nodes: node id = the pod's ordinal, a static
# controller quorum of every pod, topics never created implicitly, internal topics replicated
# min(3, nodes) times with min.insync.replicas min(2, replicas). Formats its storage on the first
# start only (--ignore-formatted), so a restarted pod keeps its log on the same volume.
# Needs: POD_NAME (<statefulset>-<ordinal>), KAFKA_DOMAIN (<headless service>.<namespace>.svc),
# KAFKA_NODES, KAFKA_CLUSTER_ID (the same on every node). Optional: KAFKA_HEAP_MB (default 256),
# KAFKA_DATA (default /var/lib/kafka/data).
set -eu
: "${POD_NAME:?}" "${KAFKA_DOMAIN:?}" "${KAFKA_NODES:?}" "${KAFKA_CLUSTER_ID:?}"
id=${POD_NAME##*-}
set_name=${POD_NAME%-*}
data=${KAFKA_DATA:-/var/lib/kafka/data}
conf=/tmp/server.properties

voters=""
i=0
while [ "$i" -lt "$KAFKA_NODES" ]; do
  voters="${voters:+$voters,}$i@$set_name-$i.$KAFKA_DOMAIN:9093"
  i=$((i + 1))
done
rf=$((KAFKA_NODES < 3 ? KAFKA_NODES : 3))
isr=$((rf < 2 ? rf : 2))

cat > "$conf" <<EOF
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
listeners=CLIENT://:9092,CONTROLLER://:9093
advertised.listeners=CLIENT://$POD_NAME.$KAFKA_DOMAIN:9092
listener.security.protocol.map=CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=CLIENT
log.dirs=$data
auto.create.topics.enable=false
default.replication.factor=$rf
min.insync.replicas=$isr
num.partitions=1
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
num.replica.fetchers=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=8388608
EOF

# A small serial-collected heap and the client compiler only: start-up matters more than peak
# throughput on a small node.
jvm="-Xmx${KAFKA_HEAP_MB:-256}m -Xms64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError
  -Djava.awt.headless=true -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties"
# shellcheck disable=SC2086 # one word per JVM flag
java $jvm -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format --ignore-formatted \
  --cluster-id "$KAFKA_CLUSTER_ID" --config "$conf"
# shellcheck disable=SC2086
exec java $jvm -cp '/opt/kafka/libs/*' kafka.Kafka "$conf"
