#!/usr/bin/env bash
# Runs the test suite on another Node major (npm's node@N package, cached in MAESTRO_CI_CACHE, default
# ~/.cache/maestro-ci), using the node_modules the machine's Node installed.
# On Node >= 22 the store runs better-sqlite3 13 (the npm alias better-sqlite3-13, ADR 0034): a
# Node-API addon, prebuilt inside its npm package, that loads on every Node major from 22 on. So
# nothing is rebuilt and nothing in node_modules is touched. better-sqlite3 12 (Node 20 only) is never
# loaded there; a module that loaded it anyway would fail with an ABI mismatch, not pass by accident.
#   usage: scripts/gates/node-matrix.sh 24 [vitest args...]
set -euo pipefail
major=$1; shift
cd "$(dirname "$0")/../.."
if ! [[ $major =~ ^[0-9]+$ ]] || [ "$major" -lt 22 ]; then
  echo "node-matrix: Node $major: give a major >= 22 (Node 20 is the machine's own: npm test)" >&2
  exit 2
fi
cache=${MAESTRO_CI_CACHE:-$HOME/.cache/maestro-ci}
prefix=$cache/node$major
mkdir -p "$cache"
if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
  npm install --prefix "$prefix" --no-audit --no-fund --no-save "node@$major" >/dev/null 2>&1 \
    || { echo "node-matrix: npm install node@$major failed" >&2; exit 1; }
fi
nodebin=$prefix/node_modules/node/bin
version=$("$nodebin/node" --version)
# Preflight: the driver the engine picks on this Node opens a database.
driver=$("$nodebin/node" --input-type=module -e "
  const { sqliteDriver } = await import('./dist/src/store/sqlite-driver.js');
  const d = sqliteDriver(); const db = new d.Database(':memory:');
  console.log(d.package + ' ' + d.version + ', SQLite ' + db.prepare('select sqlite_version() as v').get().v); db.close();") \
  || { echo "node-matrix: the SQLite driver does not load on Node $version (npm run build first?)" >&2; exit 1; }
echo "== tests on Node $version ($driver)"
PATH="$nodebin:$PATH" npx vitest run "$@"
