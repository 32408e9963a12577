#!/usr/bin/env bash
# `npm test`: install engines, start the services the integration tests use, then lint, type-check and
# run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-engines.sh
bash scripts/start-services.sh
npx biome check .
npx tsc --noEmit -p .
npx vitest run "$@"
