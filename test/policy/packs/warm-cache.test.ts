// The warm policy engine's cache: bounded LRU, keyed by digest and signature, hit/miss counters,
// against a real state home (SQLite, keys, signatures) evaluating the shipped packs in-process.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, LruCache, packCacheInfo, packCacheKey, policyCacheStats, signPackOp } from '../../../src/policy/packs/index.js';
import type { Session } from '../../../src/tenancy/index.js';
import { copyPacks, inputFor, tempSession, withEnv } from './helpers.js';

let s: Session;
let packs: string;
beforeAll(async () => {
  packs = copyPacks();
  s = await tempSession({ MAESTRO_PACKS_DIR: packs });
});
afterAll(() => s.close());

/** Cache lookups made by one decision. */
async function lookups(session: Session): Promise<{ hits: number; misses: number; outcome: string }> {
  const before = policyCacheStats();
  const d = await decide(session, { action: 'run', input: inputFor(session), record: false });
  const after = policyCacheStats();
  return { hits: after.hits - before.hits, misses: after.misses - before.misses, outcome: d.outcome };
}

describe('LruCache', () => {
  it('keeps at most max entries, dropping the least recently used', () => {
    const c = new LruCache<number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.size).toBe(2);
    expect(c.has('b')).toBe(false);
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.evictions).toBe(1);
  });
});

describe('packCacheKey', () => {
  it('changes with the digest and with any part of the signature', () => {
    const sig = { status: 'valid', keyId: 'k1', signedDigest: 'sha256:aa', bundleSha256: 'b1' };
    const base = packCacheKey('sha256:aa', sig);
    expect(packCacheKey('sha256:bb', sig)).not.toBe(base);
    expect(packCacheKey('sha256:aa', { ...sig, keyId: 'k2' })).not.toBe(base);
    expect(packCacheKey('sha256:aa', { ...sig, status: 'invalid' })).not.toBe(base);
    expect(packCacheKey('sha256:aa', { ...sig, bundleSha256: 'b2' })).not.toBe(base);
    expect(packCacheKey('sha256:aa', { ...sig })).toBe(base);
  });
});

describe('warm compiled packs', () => {
  it('misses once per pack, then every decision hits', async () => {
    const first = await lookups(s);
    expect(first.outcome).toBe('allow');
    expect(first.hits + first.misses).toBe(6);
    for (let i = 0; i < 5; i++) expect(await lookups(s)).toEqual({ hits: 6, misses: 0, outcome: 'allow' });
  });

  it('a changed pack (new digest) misses for that pack only, and the old entry is not used', async () => {
    await lookups(s);
    appendFileSync(join(packs, 'residency', 'policy.rego'), '\n# changed\n');
    await signPackOp(s, 'residency'); // re-sign so the changed pack is still trusted
    const after = await lookups(s);
    expect(after).toEqual({ hits: 5, misses: 1, outcome: 'allow' });
    expect(await lookups(s)).toEqual({ hits: 6, misses: 0, outcome: 'allow' });
  });

  it('a pack edited in place (same size) is read afresh: the signature no longer covers it, so it is refused', async () => {
    await lookups(s);
    const file = join(packs, 'resource-class', 'policy.rego');
    const text = readFileSync(file, 'utf8');
    const edited = text.replace('# ', '#!');
    expect(edited.length).toBe(text.length);
    writeFileSync(file, edited);
    const d = await decide(s, { action: 'run', input: inputFor(s), record: false });
    expect(d.outcome).toBe('deny');
    expect(d.packs.find((p) => p.id === 'resource-class')).toMatchObject({ signature: 'invalid', verdict: 'refused' });
    writeFileSync(file, text);
    expect((await decide(s, { action: 'run', input: inputFor(s), record: false })).outcome).toBe('allow');
  });

  it('a new signature over the same files misses for that pack only', async () => {
    await lookups(s);
    await signPackOp(s, 'budget'); // same digest, a new signature bundle
    expect(await lookups(s)).toEqual({ hits: 5, misses: 1, outcome: 'allow' });
  });

  it('is bounded: with MAESTRO_POLICY_CACHE_MAX=2 six packs never all fit, so decisions keep missing', async () => {
    const small = withEnv(s, { MAESTRO_POLICY_CACHE_MAX: '2' });
    await lookups(small);
    const again = await lookups(small);
    expect(again.misses).toBeGreaterThanOrEqual(4);
    expect(packCacheInfo()).toMatchObject({ size: 2, max: 2 });
    expect(packCacheInfo().evictions).toBeGreaterThan(0);
    // Back to the default bound: warm again after one round.
    await lookups(s);
    expect((await lookups(s)).misses).toBe(0);
  });
});
