#!/usr/bin/env bash
# Spec §11 for the shipped policy packs: every pack has Rego unit tests and they pass (maestro's engine,
# and the real `opa test` when it is installed), and every pack's bundle is signed with cosign and the
# signature verified (cosign when installed; otherwise maestro's own pack signature check, said plainly).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=reports/bundles
rm -rf "$out" && mkdir -p "$out"
maestro() { node bin/run.js "$@"; }
export MAESTRO_HOME=$(mktemp -d)
trap 'rm -rf "$MAESTRO_HOME"' EXIT
opa=${OPA_BIN:-$(command -v opa || true)}
[ -n "$opa" ] || [ ! -x "$HOME/go/bin/opa" ] || opa=$HOME/go/bin/opa
cosign=${COSIGN_BIN:-$(command -v cosign || true)}
[ -n "$cosign" ] || [ ! -x "$HOME/go/bin/cosign" ] || cosign=$HOME/go/bin/cosign
has_build=0
maestro policy build --help >/dev/null 2>&1 && has_build=1
packs=0
for dir in policies/*/; do
  pack=$(basename "$dir")
  [ -f "$dir/pack.json" ] || continue
  packs=$((packs + 1))
  tests=$(cat "$dir"/*_test.rego 2>/dev/null | grep -cE '^\s*test_[A-Za-z0-9_]+' || true)
  [ "$tests" -gt 0 ] || { echo "packs: FAIL ($pack has no Rego unit tests: add policies/$pack/policy_test.rego with test_ rules)"; exit 1; }
  res=$(maestro policy test "$dir" --format json) || { echo "$res" | head -c 2000; echo "packs: FAIL ($pack: maestro policy test failed)"; exit 1; }
  if [ -n "$opa" ]; then
    "$opa" test "$dir" >/dev/null || { "$opa" test "$dir" | tail -n 20; echo "packs: FAIL ($pack: opa test failed)"; exit 1; }
  fi
  if [ "$has_build" = 1 ]; then
    maestro policy build --pack "$pack" -o "$out/$pack.tar.gz" >/dev/null
    # The bundle is OPA's format: the real opa loads it.
    [ -z "$opa" ] || "$opa" eval -b "$out/$pack.tar.gz" --format raw 'count(data) > 0' >/dev/null \
      || { echo "packs: FAIL (opa cannot load the bundle of $pack)"; exit 1; }
  else
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -czf "$out/$pack.tar.gz" -C "$dir" .
  fi
done
[ "$packs" -gt 0 ] || { echo "packs: FAIL (no packs found under policies/)"; exit 1; }
if [ -n "$cosign" ]; then
  export COSIGN_PASSWORD=
  keydir=$(mktemp -d)
  (cd "$keydir" && "$cosign" generate-key-pair --output-key-prefix packs >/dev/null 2>&1)
  for b in "$out"/*.tar.gz; do
    "$cosign" sign-blob --key "$keydir/packs.key" --tlog-upload=false --yes --output-signature "$b.sig" "$b" >/dev/null 2>&1
    "$cosign" verify-blob --key "$keydir/packs.pub" --signature "$b.sig" --insecure-ignore-tlog=true --offline=true "$b" >/dev/null 2>&1 \
      || { echo "packs: FAIL (cosign could not verify $b)"; exit 1; }
  done
  cp "$keydir/packs.pub" "$out/cosign.pub"
  rm -rf "$keydir"
  signer="cosign-signed and verified"
else
  for dir in policies/*/; do maestro policy packs verify "$(basename "$dir")" >/dev/null; done
  signer="NO cosign here: verified with maestro policy packs verify instead"
fi
echo "packs: pass ($packs packs, tests by maestro${opa:+ and opa}, bundles $([ $has_build = 1 ] && echo 'by maestro policy build' || echo 'as tarballs'), $signer)"
