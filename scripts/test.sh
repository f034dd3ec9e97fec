#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install, bring up PostgreSQL and Redis, lint, build,
# typecheck, test every package, and end with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh || exit 1
bash scripts/services.sh || exit 1
bash scripts/browser.sh || exit 1

rm -rf .test-results
mkdir -p .test-results

status=0
pnpm run lint || status=1
pnpm exec turbo run build typecheck lint:pkg --output-logs=errors-only || status=1
# One package at a time: the suites share servers and the machine has few cores.
pnpm exec turbo run test --concurrency=1 --continue || status=1

node scripts/summarize-tests.mjs .test-results || status=1
exit $status
