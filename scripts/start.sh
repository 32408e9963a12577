#!/usr/bin/env bash
# `npm start`: make sure the engines are installed, then run the embedded server (PGlite + ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-engines.sh
exec node bin/openimm.js serve "$@"
