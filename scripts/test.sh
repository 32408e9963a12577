#!/usr/bin/env bash
# `npm test`: install engines, start the services the integration tests use, then lint, type-check and
# run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-engines.sh
bash scripts/start-services.sh
npx biome check .
npx tsc --noEmit -p .
# The tests that start `openimm` as a process run the compiled bundle: build it once, before they race to.
node scripts/build-bundle.mjs
npx vitest run "$@"
