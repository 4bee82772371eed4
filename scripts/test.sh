#!/usr/bin/env bash
# README command #2: the full suite (build, lint, unit and integration tests against real
# Redis Cluster, PostgreSQL and Apache Kafka that the harness starts on its own ports).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
source scripts/lib/node.sh
echo "Linting (eslint, then knip: unused files, exports and dependencies)..."
npm run lint --silent
echo "Checking the Helm chart (helm lint, helm template, kubeconform, policies, golden files)..."
npm run -s chart:check
echo "Testing..."
exec npm test --silent -- --ci "$@"
