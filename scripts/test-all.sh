#!/usr/bin/env bash
# `npm test`: the whole suite, exactly what CI (.ci/run) runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "services"
node scripts/services.mjs --defaults

step "pnpm 12.4.2"
if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then npm install --global pnpm@12.4.2; fi

step "install"
pnpm install --frozen-lockfile

step "migrations up to date"
pnpm db:check

step "typecheck"
pnpm typecheck

step "lint"
pnpm lint

step "OpenAPI document (redocly lint, offline)"
pnpm openapi:lint

step "unit tests"
pnpm test:unit

step "integration tests (real Postgres and Redis)"
pnpm test:int

step "build"
NODE_ENV=production pnpm build

step "fault drills (built worker and web as real processes)"
pnpm test:faults

step "end-to-end (Chromium)"
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
  else
    echo "Chromium is missing: apt-get install -y chromium" >&2
    exit 1
  fi
fi
pnpm e2e
