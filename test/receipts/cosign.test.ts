import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureSigningKey, writeReceipt } from '../../src/receipts/index.js';
import { fixtureContext, makeExecution } from './fixtures.js';

const cosign = spawnSync('cosign', ['version'], { encoding: 'utf8' });
const hasCosign = cosign.status === 0;
const SKIP_REASON = 'no `cosign` binary on PATH (install cosign to run this check; see docs/cosign.md)';
if (!hasCosign) console.warn(`cosign test skipped: ${SKIP_REASON}`);

describe('cosign interoperability (docs/cosign.md)', () => {
  it.skipIf(!hasCosign)(`cosign verify-blob-attestation accepts a receipt with the exported public key${hasCosign ? '' : ` — skipped: ${SKIP_REASON}`}`, async () => {
    const { ctx, dir, record } = makeExecution(fixtureContext());
    const key = ensureSigningKey(ctx);
    await writeReceipt(ctx, dir, record);
    copyFileSync(key.publicKeyPath, join(dir, 'pub.pem'));
    const args = ['verify-blob-attestation', '--bundle', 'receipt.sigstore.json', '--key', 'pub.pem', '--insecure-ignore-tlog', '--new-bundle-format', '--type', 'slsaprovenance1', 'logs/build.ndjson'];
    const ok = spawnSync('cosign', args, { cwd: dir, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    // A blob that is not a subject must be refused (the claims check is real).
    const bad = spawnSync('cosign', [...args.slice(0, -1), 'manifest.yaml'], { cwd: dir, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });
});
