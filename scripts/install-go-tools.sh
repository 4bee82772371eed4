#!/usr/bin/env bash
# Builds the Go tools the chart check runs — real Helm and kubeconform — with `go install` from
# the Go module proxy, pinned, into $HOME/.cache/stampede/bin/<name>-<version>/ (outside the
# clone, so every clone on the machine shares one build). Idempotent: a tool already built is
# left alone. Prints one line per tool: "<name> <version>".
#
# Helm 3.22 and kubeconform 0.8 need Go >= 1.26. Debian bookworm's golang-go is 1.19, which
# cannot build them and predates GOTOOLCHAIN; when the `go` on PATH is older than 1.26 the
# matching toolchain is fetched once as the Go module golang.org/toolchain from the same proxy
# (what `go` itself does with GOTOOLCHAIN) into $HOME/.cache/stampede/go-<version>/.
#
# Usage: scripts/install-go-tools.sh [--paths]   (--paths: print name=path lines instead)
set -euo pipefail

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
GO_MIN_MINOR=26
GO_FALLBACK=1.26.8

CACHE="${STAMPEDE_CACHE:-$HOME/.cache/stampede}"
GOPROXY_URL="${GOPROXY:-https://proxy.golang.org}"
GOPROXY_URL="${GOPROXY_URL%%,*}"

# go >= 1.26 on PATH, else the cached toolchain, else fetch it.
go_ok() { # $1: a go binary
  local v
  v=$("$1" env GOVERSION 2>/dev/null || true)   # go1.26.8
  [[ "$v" =~ ^go1\.([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -ge "$GO_MIN_MINOR" ]
}

find_go() {
  local candidate
  for candidate in "$(command -v go || true)" /usr/local/go/bin/go "$CACHE/go-$GO_FALLBACK/bin/go"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && go_ok "$candidate"; then
      echo "$candidate"
      return
    fi
  done
  local arch
  case "$(uname -m)" in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) echo "no Go toolchain for $(uname -m): install Go >= 1.$GO_MIN_MINOR" >&2; exit 1 ;;
  esac
  local dest="$CACHE/go-$GO_FALLBACK" tmp
  tmp=$(mktemp -d)
  echo "Fetching the Go $GO_FALLBACK toolchain (golang.org/toolchain) from the Go module proxy..." >&2
  curl -fsSL --retry 3 -o "$tmp/go.zip" \
    "$GOPROXY_URL/golang.org/toolchain/@v/v0.0.1-go$GO_FALLBACK.linux-$arch.zip"
  (cd "$tmp" && python3 -m zipfile -e go.zip unpacked)
  rm -rf "$dest"
  mkdir -p "$CACHE"
  mv "$tmp/unpacked/golang.org/toolchain@v0.0.1-go$GO_FALLBACK.linux-$arch" "$dest"
  chmod -R u+x "$dest/bin" "$dest/pkg/tool"
  rm -rf "$tmp"
  echo "$dest/bin/go"
}

# $1 name, $2 module path@version, $3 version
install_tool() {
  local name=$1 pkg=$2 version=$3
  local dir="$CACHE/bin/$name-$version"
  # One build at a time (parallel test workers may all ask for the tools at once).
  mkdir -p "$CACHE/bin"
  exec 9>"$CACHE/bin/.lock"
  flock 9
  if [ ! -x "$dir/$name" ]; then
    local go
    go=$(find_go)
    echo "Building $name $version with $("$go" env GOVERSION) (go install, a few minutes the first time)..." >&2
    mkdir -p "$dir.tmp"
    # GOTOOLCHAIN=local: never switch toolchains behind the script's back; GOFLAGS cleared so a
    # caller's -mod=vendor or similar cannot change the build.
    GOBIN="$dir.tmp" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
      nice -n 10 "$go" install -trimpath -ldflags "$4" "$pkg@$version" >&2
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
  fi
  flock -u 9
  echo "$dir/$name"
}

# The ldflags Helm's own Makefile sets: its version, and the Kubernetes version of its client
# libraries (k8s.io/client-go v0.37 -> 1.37) as the default of `helm template` and `helm lint`.
HELM_KUBE_MINOR=37
helm=$(install_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
  "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
   -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_KUBE_MINOR \
   -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_KUBE_MINOR")
kubeconform=$(install_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" \
  "-s -w -X main.version=$KUBECONFORM_VERSION")

if [ "${1:-}" = "--paths" ]; then
  # For the chart check (tools/chart-check/tools.ts): where each binary is.
  echo "helm=$helm"
  echo "kubeconform=$kubeconform"
  echo "go=$(find_go)"
else
  echo "helm $("$helm" version --template '{{.Version}}')"
  echo "kubeconform $("$kubeconform" -v)"
fi
