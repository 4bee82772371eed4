#!/usr/bin/env bash
# Builds one Stampede service image from the repository's Dockerfile with buildah, FROM the
# locally built Node image (nothing is pulled from a registry; npm install inside the build
# reaches the npm registry over the host network), and loads it into the running cluster's
# containerd as localhost/stampede/SERVICE:TAG (default dev). Usage: build-service-image.sh SERVICE [TAG]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
service=${1:?usage: build-service-image.sh <gateway|auth|event|entry|payment> [tag]}
tag=${2:-dev}
ref=localhost/stampede/$service:$tag

bash "$here/images/build-images.sh" node
start=$SECONDS
# The RUN steps see the host's CA bundle, so npm trusts whatever the host trusts (a proxy that
# inspects TLS presents a certificate only the host's bundle knows).
cas=()
[ -f /etc/ssl/certs/ca-certificates.crt ] && cas=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
buildah bud --layers --pull=never --network host --isolation chroot "${cas[@]}" \
  --build-arg "NODE_IMAGE=localhost/stampede/node:$NODE_VERSION" --build-arg "SERVICE=$service" \
  -t "$ref" -f "$REPO_ROOT/Dockerfile" "$REPO_ROOT"
log "built $ref in $((SECONDS - start)) s"
# Saved beside the other images, so every cluster:up loads it (once per build); loaded now too
# when the cluster runs.
images=$CACHE_DIR/images
id=$(buildah inspect --type image --format '{{.FromImageID}}' "$ref" | cut -c1-16)
if [ ! -f "$images/$service-$id.tar" ]; then
  rm -f "$images/$service-$id.tar.tmp"
  buildah push -q "$ref" "docker-archive:$images/$service-$id.tar.tmp:$ref" >/dev/null
  mv "$images/$service-$id.tar.tmp" "$images/$service-$id.tar"
  find "$images" -name "$service-$KEY_GLOB.tar" ! -name "$service-$id.tar" -delete
fi
ln -sfn "$service-$id.tar" "$images/$service.tar"
source "$here/daemons.sh"
if owned_pid containerd >/dev/null; then
  source "$here/import-images.sh"
  import_images
fi
