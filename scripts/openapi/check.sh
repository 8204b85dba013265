#!/usr/bin/env bash
# CI: the committed document (openapi/openapi.json) is the one the Worker serves, the committed client types
# (openapi/schema.d.ts) are generated from it, and both linters pass it with no errors or warnings.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .tmp
node scripts/openapi/dump.mjs .tmp/openapi.json
if ! cmp -s .tmp/openapi.json openapi/openapi.json; then
  echo "openapi/openapi.json is out of date with the served document: run npm run openapi:dump" >&2
  diff -u openapi/openapi.json .tmp/openapi.json | head -40 >&2
  exit 1
fi
npm --prefix tools/openapi-types run --silent generate -- ../../.tmp/schema.d.ts
if ! cmp -s .tmp/schema.d.ts openapi/schema.d.ts; then
  echo "openapi/schema.d.ts (the typed client's types) is out of date: run npm run openapi:dump" >&2
  exit 1
fi
npm run --silent openapi:lint
