#!/usr/bin/env bash
# `npm run test:cluster`: the chart on the local Kubernetes cluster in one run (cluster:up,
# images, install, helm test, stampede, autoscaling, pod kills, alert rules and dashboards,
# upgrade, uninstall, cluster:down). What each phase checks: tools/cluster-test/main.ts and
# docs/cluster.md. Needs root, like cluster:up. Options go to main.ts (e.g. --keep, --shoppers 4000).
set -euo pipefail
cd "$(dirname "$0")/../.."
# npm dependencies and the workspace packages' dist/ the test imports (a fresh clone has neither).
bash scripts/bootstrap.sh
exec scripts/on-node node_modules/.bin/tsx tools/cluster-test/main.ts "$@"
