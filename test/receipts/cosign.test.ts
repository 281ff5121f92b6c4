/**
 * Interoperability with the real cosign (docs/cosign.md), fully offline: a receipt verifies with
 * `cosign verify-blob-attestation --key … --insecure-ignore-tlog --new-bundle-format --trusted-root …`
 * against any subject, a non-subject is refused, and a denied run's receipt verifies against its manifest.
 * cosign: $COSIGN, else `cosign` on PATH, else /root/go/bin/cosign (CI: go install …/cosign@v2.6.1).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureSigningKey, writeReceipt } from '../../src/receipts/index.js';
import { fixtureContext, makeExecution } from './fixtures.js';

const candidates = [process.env.COSIGN, 'cosign', '/root/go/bin/cosign'].filter((c): c is string => !!c);
const COSIGN = candidates.find((c) => spawnSync(c, ['version'], { encoding: 'utf8' }).status === 0) ?? null;
const SKIP_REASON = 'no cosign binary ($COSIGN, PATH, /root/go/bin/cosign); install: go install github.com/sigstore/cosign/v2/cmd/cosign@v2.6.1';
if (!COSIGN) console.warn(`cosign tests skipped: ${SKIP_REASON}`);

/** An empty trusted root: key-based verification needs no CA, log or TSA, and nothing is fetched. */
const EMPTY_TRUSTED_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

function offlineArgs(dir: string): string[] {
  writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(EMPTY_TRUSTED_ROOT));
  return [
    'verify-blob-attestation',
    '--bundle',
    'receipt.sigstore.json',
    '--key',
    'pub.pem',
    '--insecure-ignore-tlog',
    '--new-bundle-format',
    '--trusted-root',
    'trusted_root.json',
    '--type',
    'slsaprovenance1',
  ];
}

/** No network for cosign: proxies pointing nowhere, so a lookup that slipped through would fail. */
const OFFLINE_ENV = { ...process.env, HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', TUF_ROOT: '/nonexistent' };

describe('cosign interoperability (docs/cosign.md)', () => {
  it.skipIf(!COSIGN)(
    `cosign verify-blob-attestation accepts a receipt offline with the exported public key${COSIGN ? '' : ` (skipped: ${SKIP_REASON})`}`,
    async () => {
      const { ctx, dir, record } = makeExecution(fixtureContext());
      const key = ensureSigningKey(ctx);
      await writeReceipt(ctx, dir, record);
      copyFileSync(key.publicKeyPath, join(dir, 'pub.pem'));
      const args = offlineArgs(dir);
      const ok = spawnSync(COSIGN!, [...args, 'logs/build.ndjson'], { cwd: dir, encoding: 'utf8', env: OFFLINE_ENV });
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stderr).toMatch(/Verified OK/);
      // A blob that is not a subject must be refused (the claims check is real).
      const bad = spawnSync(COSIGN!, [...args, 'manifest.yaml'], { cwd: dir, encoding: 'utf8', env: OFFLINE_ENV });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/does not match any digest/);
    },
  );

  it.skipIf(!COSIGN)("a denied run's receipt has a subject (its manifest) that cosign accepts", async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext(), { tasks: [] });
    const key = ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, { ...record, status: 'denied' });
    copyFileSync(key.publicKeyPath, join(dir, 'pub.pem'));
    const r = spawnSync(COSIGN!, [...offlineArgs(dir), 'manifest.yaml'], { cwd: dir, encoding: 'utf8', env: OFFLINE_ENV });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'logs', 'build.ndjson'))).toBe(false);
  });
});
