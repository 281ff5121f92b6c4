#!/usr/bin/env bash
# Runs the test suite on another Node major (npm's node@N package), with better-sqlite3 rebuilt for that
# Node's ABI. The rebuilt addon and the Node install are cached (MAESTRO_CI_CACHE, default
# ~/.cache/maestro-ci); the machine's own addon is put back afterwards, whatever happens.
#   usage: scripts/gates/node-matrix.sh 22 [vitest args...]
set -euo pipefail
major=$1; shift
cd "$(dirname "$0")/../.."
cache=${MAESTRO_CI_CACHE:-$HOME/.cache/maestro-ci}
prefix=$cache/node$major
mkdir -p "$cache"
if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
  npm install --prefix "$prefix" --no-audit --no-fund --no-save "node@$major" >/dev/null 2>&1
fi
nodebin=$prefix/node_modules/node/bin
headers=$(dirname "$(dirname "$(find "$prefix/node_modules/node/node_modules" -maxdepth 3 -path '*/include/node' -type d | head -n 1)")")
version=$("$nodebin/node" --version)
abi=$("$nodebin/node" -p process.versions.modules)
addon=node_modules/better-sqlite3/build/Release/better_sqlite3.node
cached=$cache/better_sqlite3-abi$abi.node
if [ ! -f "$cached" ]; then
  echo "== building better-sqlite3 for Node $version (ABI $abi)"
  work=$(mktemp -d)
  cp -r node_modules/better-sqlite3 "$work/"
  gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
  (cd "$work/better-sqlite3" && rm -rf build && PATH="$nodebin:$PATH" "$nodebin/node" "$gyp" rebuild --release --nodedir="$headers" >"$work/gyp.log" 2>&1) \
    || { tail -n 30 "$work/gyp.log"; exit 1; }
  cp "$work/better-sqlite3/build/Release/better_sqlite3.node" "$cached.tmp" && mv "$cached.tmp" "$cached"
  rm -rf "$work"
fi
# Swap by rename, never by writing into the file: node_modules may be a hard-link copy shared with
# other checkouts, and writing in place would change their addon too.
swap_in() { cp "$1" "$addon.swap" && mv -f "$addon.swap" "$addon"; }
own=$(mktemp)
cp "$addon" "$own"
restore() { swap_in "$own"; rm -f "$own"; }
trap restore EXIT
swap_in "$cached"
echo "== tests on Node $version"
PATH="$nodebin:$PATH" npx vitest run "$@"
