#!/usr/bin/env bash
# Stowage's main job on its embedded default (SQLite, no server): installs the workspace, builds
# the quickstart app and runs it. Run it twice: the conversation continues where it left off.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh >/dev/null
pnpm exec turbo run build --filter=@stowage/quickstart... --output-logs=errors-only >/dev/null
cd apps/quickstart && node dist/main.js
