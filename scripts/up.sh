#!/usr/bin/env bash
# README command #1: brings the whole platform up on this machine (installing what it needs).
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/lib/node.sh
exec node_modules/.bin/tsx packages/devkit/src/cli/stack.ts "$@"
