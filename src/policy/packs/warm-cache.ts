/**
 * The warm policy engine's cache: compiled packs kept in memory by a long-lived process (the server,
 * its evaluation threads, workers), keyed by the pack's digest and its signature check, so a change of
 * either is a different key (a miss that compiles afresh). Bounded: least recently used entries go
 * first past the cap. Hits and misses are counted per process (mc_policy_cache_hits_total and
 * mc_policy_cache_misses_total); evaluation threads report theirs with every result.
 */

/** A bounded map that forgets its least recently used entry past `max`. */
export class LruCache<V> {
  readonly max: number;
  private readonly map = new Map<string, V>();
  /** Entries dropped to stay within the bound. */
  evictions = 0;

  constructor(max: number) {
    this.max = Math.max(1, Math.floor(max));
  }

  /** The value for `key` (now the most recently used), or undefined. */
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) {
      this.map.delete(this.map.keys().next().value as string);
      this.evictions++;
    }
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

/** The part of a signature check that identifies it (src/policy/packs/signing.ts SignatureCheck). */
export interface SignatureKeyParts {
  status: string;
  keyId: string | null;
  signedDigest: string | null;
  bundleSha256?: string;
}

/**
 * The cache key of a compiled pack: its digest and its signature (status, key, signed digest and the
 * signature file's own hash, so re-signing is a new key too).
 * @example packCacheKey('sha256:ab…', { status: 'valid', keyId: 'k1', signedDigest: 'sha256:ab…' })
 */
export function packCacheKey(digest: string, sig: SignatureKeyParts | null): string {
  return sig ? `${digest}|${sig.status}|${sig.keyId ?? '-'}|${sig.signedDigest ?? '-'}|${sig.bundleSha256 ?? '-'}` : `${digest}|-`;
}

/** Default bound of the compiled-pack cache (entries), overridden by $MAESTRO_POLICY_CACHE_MAX. */
export const DEFAULT_CACHE_MAX = 256;

/** The compiled-pack cache bound for an environment. */
export function cacheMaxFrom(env: Readonly<Record<string, string | undefined>>): number {
  const v = Number(env.MAESTRO_POLICY_CACHE_MAX);
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_CACHE_MAX;
}

const totals = { hits: 0, misses: 0 };

/** Count cache lookups made by this process or reported by its evaluation threads. */
export function countCacheLookups(hits: number, misses: number): void {
  totals.hits += hits;
  totals.misses += misses;
}

/** This process's compiled-pack cache counters so far. */
export interface PolicyCacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), null before any lookup. */
  hitRate: number | null;
}

/**
 * The process's cache counters (what /metrics exports).
 * @example policyCacheStats().hitRate // 0.97
 */
export function policyCacheStats(): PolicyCacheStats {
  const n = totals.hits + totals.misses;
  return { hits: totals.hits, misses: totals.misses, hitRate: n === 0 ? null : totals.hits / n };
}
