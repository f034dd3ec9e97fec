#!/usr/bin/env bash
# Stowage's main job on its embedded default (SQLite, no server): installs the workspace, builds
# the example agent-chat app and starts it; open the address it prints, Ctrl-C stops it. Data
# stays in apps/example-express/.stowage/example.db, so conversations survive a restart.
# PORT, STOWAGE_URL (postgres://... or redis://...) and STOWAGE_SECRET are passed through.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh >/dev/null
pnpm exec turbo run build --filter=@stowage/example-express... --output-logs=errors-only >/dev/null
cd apps/example-express
exec node dist/main.js
