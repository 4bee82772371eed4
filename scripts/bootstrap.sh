#!/usr/bin/env bash
# Everything a fresh clone needs before it can run: system packages, the pinned Node, npm
# dependencies exactly as locked, a build. Sourced or run; prints the versions it uses.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-system-deps.sh
source scripts/lib/node.sh
echo "node $(node --version)"
# Real Helm and kubeconform for the chart check (built once, cached outside the clone).
bash scripts/install-go-tools.sh

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.stampede-lock ] || [ "$(cat node_modules/.stampede-lock)" != "$lock_hash" ]; then
  echo "Installing npm dependencies (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.stampede-lock
fi

echo "Building (tsc -b)..."
npm run build --silent

# Apache Kafka's jars from Maven Central (cached under ~/.m2 and ~/.cache/stampede); prints the
# `kafka 4.x.y` and `java 17.x` lines.
node_modules/.bin/tsx packages/devkit/src/cli/kafka-runtime.ts
