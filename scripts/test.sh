#!/usr/bin/env bash
# README command #2: the full suite (build, lint, unit and integration tests against real
# Redis Cluster, PostgreSQL and Apache Kafka that the harness starts on its own ports).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
echo "Linting..."
npx eslint . --max-warnings=0
echo "Testing..."
exec npx jest --ci "$@"
