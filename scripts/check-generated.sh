#!/usr/bin/env bash
# Generated files (oclif manifest, config JSON Schema) are committed so that editors and the
# CLI can use them without a build; fail when they differ from what the sources produce.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent manifest
npm run --silent schema
if ! git diff --exit-code -- oclif.manifest.json schemas/; then
  echo "Generated files are stale: run 'npm run build && npm run schema' and commit the result." >&2
  exit 1
fi
if [ -n "$(git ls-files --others --exclude-standard -- oclif.manifest.json schemas/)" ]; then
  echo "Generated files are not committed: git add oclif.manifest.json schemas/" >&2
  exit 1
fi
