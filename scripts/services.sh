#!/usr/bin/env bash
# Makes sure the servers the tests need are reachable: PostgreSQL and Redis.
#   - DATABASE_URL / REDIS_URL set: use those servers as they are.
#   - Installed locally but stopped: start them.
#   - Missing, running as root with apt-get: install them from Debian's packages and start them.
#   - Otherwise, a running Docker engine: docker compose up --wait (docker/compose.yaml).
# Prints what it did; exits non-zero with instructions when no server can be provided.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

say() { printf 'stowage services: %s\n' "$*"; }

pg_up() { node scripts/probe.mjs postgres "$PG_URL" >/dev/null 2>&1; }
redis_up() { node scripts/probe.mjs redis "$REDIS_URL" >/dev/null 2>&1; }

wait_for() { # name, probe function
  for _ in $(seq 1 60); do "$2" && return 0; sleep 0.5; done
  say "$1 did not become ready"; return 1
}

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $* from Debian's packages"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    return 0
  fi
  return 1
}

start_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql || return 1
  fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || return 1
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL pg_up || return 1
  # Trust auth for the local test user and a `test` database, as the tests expect.
  if ! runuser -u postgres -- psql -tAc "select 1 from pg_database where datname='test'" 2>/dev/null | grep -q 1; then
    runuser -u postgres -- createdb test && say "created database test"
  fi
}

start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server || return 1
  fi
  say "starting redis-server on 127.0.0.1:6379 (no persistence)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  wait_for Redis redis_up
}

compose_up() {
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 || return 1
  say "starting PostgreSQL and Redis with docker compose"
  docker compose -f docker/compose.yaml up --wait
}

fail() {
  cat >&2 <<MSG
stowage services: $1 is not reachable and could not be started.
Provide the servers the tests need, then run the tests again:
  - PostgreSQL: set DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
  - Redis:      set REDIS_URL    (default redis://127.0.0.1:6379)
  - or run:     docker compose -f docker/compose.yaml up --wait
MSG
  exit 1
}

if pg_up; then say "PostgreSQL is up"; elif [ -z "${DATABASE_URL:-}" ]; then
  start_postgres || compose_up || fail PostgreSQL
else fail "PostgreSQL at DATABASE_URL"; fi

if redis_up; then say "Redis is up"; elif [ -z "${REDIS_URL:-}" ]; then
  start_redis || compose_up || fail Redis
else fail "Redis at REDIS_URL"; fi
