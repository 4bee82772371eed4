#!/usr/bin/env bash
# README command #1: brings the whole platform up on this machine (installing what it needs).
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/lib/node.sh
# One process, no tsx wrapper in front: the wrapper SIGKILLs its child when the child is slow to
# acknowledge Ctrl-C (a loaded machine), which would cut the stack's own clean stop short.
exec node --import tsx packages/devkit/src/cli/stack.ts "$@"
