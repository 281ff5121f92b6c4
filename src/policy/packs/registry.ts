/**
 * The packs a tenant gets: discovery, verification on load (with first-use signing of shipped packs),
 * and the tenant's enable/disable choices. Shipped packs are enabled unless a tenant disables them;
 * local packs are disabled until enabled.
 */

import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Context } from '../../core/context.js';
import { maestroVersion } from '../../receipts/index.js';
import type { Store } from '../../store/index.js';
import { type TenantPackChoice, tenantPackChoices } from '../../store/policy.js';
import { listPackDirs, localRoot, type Pack, type PackOrigin, readPackCached, shippedRoot } from './catalog.js';
import { packTrustedKeyIds, type SignatureCheck, signaturePath, signPack, verifyPack } from './signing.js';
import { DEFAULT_CACHE_MAX, LruCache } from './warm-cache.js';

/** A pack as the engine sees it: its files, signature check and the tenant's choice. */
export interface LoadedPack {
  pack: Pack;
  signature: SignatureCheck;
  enabled: boolean;
  /** The tenant's data for the pack (data.maestro.config.<id>), if set. */
  config: Record<string, unknown> | undefined;
}

/** A pack that could not be read at all (bad pack.json, missing policy.rego…). */
export interface BrokenPack {
  id: string;
  origin: PackOrigin;
  dir: string;
  error: string;
}

function displayBase(ctx: Pick<Context, 'env' | 'cwd' | 'home'>, origin: PackOrigin): string {
  return dirname(origin === 'shipped' ? shippedRoot(ctx) : localRoot(ctx));
}

function enabledFor(choice: TenantPackChoice | undefined, origin: PackOrigin): boolean {
  return choice ? choice.enabled : origin === 'shipped';
}

function parseConfig(choice: TenantPackChoice | undefined): Record<string, unknown> | undefined {
  if (!choice?.config) return undefined;
  return JSON.parse(choice.config) as Record<string, unknown>;
}

/**
 * Sign a shipped pack that has no signature yet with the engine key (trust on first use).
 * @example await signOnFirstUse(ctx, store, pack);
 */
export async function signOnFirstUse(ctx: Context, store: Store, pack: Pack): Promise<void> {
  const path = signaturePath(ctx, pack.meta.id);
  if (pack.origin !== 'shipped' || existsSync(path)) return;
  // Concurrent first decisions of a server sign each pack once, not once per request.
  let pending = signing.get(path);
  if (!pending) {
    pending = signPack(ctx, pack, { auto: true, store }).then(
      () => void signing.delete(path),
      (err: unknown) => {
        signing.delete(path);
        throw err;
      },
    );
    signing.set(path, pending);
  }
  await pending;
}

/** First-use signatures being written, by signature path (entries live only while signing). */
const signing = new Map<string, Promise<void>>();

/** True when a first-use signature from another maestro version no longer matches the shipped pack. */
function upgraded(sig: SignatureCheck): boolean {
  return sig.status === 'invalid' && sig.auto === true && sig.signedByVersion !== undefined && sig.signedByVersion !== maestroVersion();
}

/** Signature checks made before, reused while the pack, its signature file and the trusted keys are the same. */
const verified = new LruCache<SignatureCheck>(DEFAULT_CACHE_MAX);

async function verifyCached(ctx: Context, store: Store, pack: Pack, ids: Set<string>): Promise<SignatureCheck> {
  const path = signaturePath(ctx, pack.meta.id);
  let sig = 'none';
  try {
    const st = statSync(path, { bigint: true });
    sig = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    // unsigned: verifyPack says so
  }
  const key = `${ctx.home}|${pack.meta.id}|${pack.digest}|${sig}|${[...ids].sort().join(',')}`;
  const hit = verified.get(key);
  if (hit) return hit;
  const check = await verifyPack(ctx, store, pack, { ids });
  verified.set(key, check);
  return check;
}

/**
 * Read every pack, verify each against its signature, and apply a tenant's choices. A shipped pack
 * with no signature yet is signed by the engine key on first use (trust on first use, see ADR 0012).
 * @example const { packs, broken } = await loadPacks(ctx, store, tenantId);
 */
export async function loadPacks(
  ctx: Context,
  store: Store,
  tenantId: string | undefined,
  opts: { onlyEnabled?: boolean; autoSign?: boolean } = {},
): Promise<{ packs: LoadedPack[]; broken: BrokenPack[] }> {
  const choices = tenantId ? tenantPackChoices(store.db, tenantId) : new Map<string, TenantPackChoice>();
  const packs: LoadedPack[] = [];
  const broken: BrokenPack[] = [];
  let ids: Set<string> | undefined;
  for (const ref of listPackDirs(ctx)) {
    const choice = choices.get(ref.id);
    const enabled = enabledFor(choice, ref.origin);
    if (opts.onlyEnabled && !enabled) continue;
    let pack: Pack;
    try {
      pack = readPackCached(ref.dir, ref.origin, displayBase(ctx, ref.origin));
    } catch (err) {
      broken.push({ id: ref.id, origin: ref.origin, dir: ref.dir, error: (err as Error).message });
      continue;
    }
    if (opts.autoSign !== false) await signOnFirstUse(ctx, store, pack);
    ids ??= packTrustedKeyIds(ctx);
    let signature = await verifyCached(ctx, store, pack, ids);
    if (ref.origin === 'shipped' && opts.autoSign !== false && upgraded(signature)) {
      // A shipped pack auto-signed by an older maestro and changed by the upgrade: trust the new release.
      await signPack(ctx, pack, { auto: true, store });
      signature = await verifyPack(ctx, store, pack, { ids });
    }
    packs.push({ pack, signature, enabled, config: parseConfig(choice) });
  }
  return { packs, broken };
}
