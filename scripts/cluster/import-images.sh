# shellcheck shell=bash
# Loads the built images into the cluster's containerd (sourced by up.sh). The image store
# outlives cluster:down, so an archive is imported once: a marker named after the archive (its
# name carries the content key) records it.

import_images() {
  local marks=$DATA_DIR/containerd/imported link tar name
  mkdir -p "$marks"
  for link in "$CACHE_DIR"/images/*.tar; do
    [ -L "$link" ] || continue
    tar=$(readlink "$link"); name=$(basename "$link" .tar)
    [ -f "$marks/$tar" ] && [ -n "$(ctr_k8s images ls -q "name~=^localhost/stampede/$name:")" ] && continue
    log "importing $tar into the cluster's containerd"
    ctr_k8s images import "$CACHE_DIR/images/$tar" >/dev/null
    # shellcheck disable=SC2086 # KEY_GLOB is a glob on purpose
    rm -f "$marks/$name"-$KEY_GLOB.tar && touch "$marks/$tar"
  done
}
