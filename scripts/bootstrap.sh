#!/usr/bin/env bash
# Installs the workspace from the repository's own files: pnpm (pinned in package.json) and
# every dependency from pnpm-lock.yaml. Safe to run again; fast when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$want" ]; then
  echo "stowage: installing pnpm $want with npm"
  npm install --global --no-fund --no-audit "pnpm@$want" >/dev/null
fi

# better-sqlite3 compiles from source; node-gyp finds Node's headers here instead of downloading them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
pnpm install --frozen-lockfile
