#!/usr/bin/env bash
# `pnpm openapi:lint`: lints the OpenAPI document exactly as /api/v1/openapi.json serves it, with the
# rules in redocly.yaml. Offline: no telemetry, no update check, no remote rules or $refs.
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
pnpm --silent --filter @alfred/api openapi:write "$dir/openapi.json"
pnpm exec redocly lint "$dir/openapi.json" --config redocly.yaml
