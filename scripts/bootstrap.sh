#!/usr/bin/env bash
# Everything a fresh clone needs before it can run: system packages, npm dependencies, a build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.stampede-lock ] || [ "$(cat node_modules/.stampede-lock)" != "$lock_hash" ]; then
  echo "Installing npm dependencies..."
  # npm ci is stricter, but this npm leaves other platforms' optional binaries (swc, argon2)
  # out of the lock file and then refuses it; install honours the lock's exact versions.
  npm install --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.stampede-lock
fi

echo "Building (tsc -b)..."
npm run build --silent

# Apache Kafka's jars from Maven Central (cached under ~/.m2 and ~/.cache/stampede); prints the
# `kafka 4.x.y` and `java 17.x` lines.
node_modules/.bin/tsx scripts/kafka-runtime.ts
