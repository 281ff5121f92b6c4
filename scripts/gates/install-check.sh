#!/usr/bin/env bash
# The install path users take: `npm pack`, then `npm i -g` of the tarball into a clean prefix, then
# `maestro --version` and `maestro whoami --json` from another directory with a fresh state home.
# Proves the tarball carries everything it needs and that no dev dependency is needed at run time.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack --silent --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/*.tgz)
# --omit=dev is what a global install does anyway; say it explicitly. Reuse the machine's npm cache.
npm i -g --prefix "$work/prefix" --omit=dev --no-audit --no-fund "$tarball" >"$work/install.log" 2>&1 \
  || { tail -n 40 "$work/install.log"; echo "install-check: npm i -g of the tarball failed"; exit 1; }
cd "$work" && mkdir elsewhere && cd elsewhere
export MAESTRO_HOME="$work/home"
unset MAESTRO_URL
version=$("$work/prefix/bin/maestro" --version)
whoami=$("$work/prefix/bin/maestro" whoami --json 2>"$work/whoami.err") || { cat "$work/whoami.err"; echo "install-check: whoami failed"; exit 1; }
node -e 'const w = JSON.parse(process.argv[1]); for (const k of ["subject", "tenant", "roles"]) if (!(k in w)) { console.error(`whoami --json lacks ${k}`); process.exit(1); }' "$whoami"
# Dev dependencies are not installed by `npm i -g`; the two commands above ran without them.
for dev in typescript vitest oclif esbuild; do
  [ ! -e "$work/prefix/lib/node_modules/maestro-conductor/node_modules/$dev" ] || { echo "install-check: dev dependency $dev was installed"; exit 1; }
done
echo "install-check: pass ($version; $(du -sh "$tarball" | cut -f1) tarball)"
