#!/usr/bin/env bash
# Builds one Stampede service image from the repository's Dockerfile with buildah, FROM the
# locally built Node image (nothing is pulled from a registry; npm install inside the build
# reaches the npm registry over the host network), and loads it into the running cluster's
# containerd as localhost/stampede/SERVICE:dev. Usage: build-service-image.sh SERVICE [TAG]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
service=${1:?usage: build-service-image.sh <gateway|auth|event|entry|payment> [tag]}
tag=${2:-dev}
ref=localhost/stampede/$service:$tag

bash "$here/images/build-images.sh" node
start=$SECONDS
buildah bud --layers --pull=never --network host --isolation chroot \
  --build-arg "NODE_IMAGE=localhost/stampede/node:$NODE_VERSION" --build-arg "SERVICE=$service" \
  -t "$ref" -f "$REPO_ROOT/Dockerfile" "$REPO_ROOT"
log "built $ref in $((SECONDS - start)) s"
if [ -S "$CONTAINERD_SOCK" ]; then
  tar=$(mktemp --suffix=.tar)
  rm -f "$tar" && buildah push -q "$ref" "docker-archive:$tar:$ref" >/dev/null
  ctr_k8s images import "$tar" >/dev/null && rm -f "$tar"
  log "loaded $ref into the cluster's containerd"
fi
