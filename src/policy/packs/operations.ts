/**
 * One engine function per `maestro policy packs` command: each checks its permission, does the work,
 * and returns plain data (the --json output).
 */

import { dirname } from 'node:path';
import { isoNow } from '../../core/context.js';
import { AuthError } from '../../core/errors.js';
import { setTenantPack } from '../../store/policy.js';
import { getTenant, isPlatformAdmin, requirePermission, type Session, type Tenant } from '../../tenancy/index.js';
import { listRules } from '../rego/index.js';
import { annotationsOf, findPackDir, type PackOrigin, readPack } from './catalog.js';
import { PackUsageError } from './errors.js';
import { compilePack } from './evaluate.js';
import { type LoadedPack, loadPacks, signOnFirstUse } from './registry.js';
import { type SignatureStatus, signPack, verifyPack } from './signing.js';

/** One row of `policy packs list`. */
export interface PackSummary {
  id: string;
  version: string;
  title: string;
  summary: string;
  digest: string;
  signature: SignatureStatus;
  signatureDetail: string;
  enabled: boolean;
  origin: PackOrigin;
  path: string;
}

/** `policy packs show`: the summary plus what the pack reads, its rules and examples. */
export interface PackDetail extends PackSummary {
  package: string;
  inputs: string[];
  rules: Array<{ name: string; location: string }>;
  examples: Array<{ input: unknown; data?: unknown; deny: boolean; warn?: boolean; location: string }>;
  files: string[];
  signaturePath: string;
  keyId: string | null;
  config: Record<string, unknown> | null;
}

function summarize(lp: LoadedPack): PackSummary {
  const m = lp.pack.meta;
  return {
    id: m.id,
    version: m.version,
    title: m.title,
    summary: m.summary,
    digest: lp.pack.digest,
    signature: lp.signature.status,
    signatureDetail: lp.signature.detail,
    enabled: lp.enabled,
    origin: lp.pack.origin,
    path: lp.pack.dir,
  };
}

/**
 * Every pack with its digest, signature status and whether the caller's tenant has it enabled.
 * @example (await listPacks(session)).map((p) => `${p.id} ${p.signature}`)
 */
export async function listPacks(session: Session): Promise<PackSummary[]> {
  requirePermission(session.identity, 'read');
  const { packs, broken } = await loadPacks(session.ctx, session.store, session.identity.tenantId);
  const rows = packs.map(summarize);
  for (const b of broken) {
    rows.push({
      id: b.id,
      version: '?',
      title: '(unreadable)',
      summary: b.error,
      digest: '',
      signature: 'invalid',
      signatureDetail: b.error,
      enabled: false,
      origin: b.origin,
      path: b.dir,
    });
  }
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function loadOne(session: Session, id: string): Promise<LoadedPack> {
  findPackDir(session.ctx, id);
  const { packs, broken } = await loadPacks(session.ctx, session.store, session.identity.tenantId);
  const b = broken.find((x) => x.id === id);
  if (b) readPack(b.dir, b.origin, dirname(dirname(b.dir))); // rethrows the pack's own error
  return packs.find((p) => p.pack.meta.id === id)!;
}

/** Details of one pack (PackNotFoundError, exit 5, when unknown). */
export async function showPack(session: Session, id: string): Promise<PackDetail> {
  requirePermission(session.identity, 'read');
  const lp = await loadOne(session, id);
  const prefix = `data.${lp.pack.meta.package}.`;
  const rules = listRules(compilePack(lp.pack).policy)
    .filter((r) => r.path.startsWith(prefix))
    .map((r) => ({ name: r.path.slice(prefix.length), location: `${r.location.file}:${r.location.row}` }));
  const policyPath = lp.pack.modules.find((m) => m.path.endsWith('/policy.rego'))?.path ?? 'policy.rego';
  return {
    ...summarize(lp),
    package: lp.pack.meta.package,
    inputs: lp.pack.meta.inputs,
    rules,
    examples: annotationsOf(lp.pack).examples.map((e) => ({
      input: e.input,
      ...(e.data ? { data: e.data } : {}),
      deny: e.deny,
      ...(e.warn !== undefined ? { warn: e.warn } : {}),
      location: `${policyPath}:${e.line}`,
    })),
    files: [...lp.pack.files.keys()],
    signaturePath: lp.signature.path,
    keyId: lp.signature.keyId,
    config: lp.config ?? null,
  };
}

/** `policy packs sign`: sign a pack's current digest (policy:manage). */
export async function signPackOp(session: Session, id: string, opts: { key?: string } = {}) {
  requirePermission(session.identity, 'policy:manage');
  const ref = findPackDir(session.ctx, id);
  const pack = readPack(ref.dir, ref.origin, dirname(dirname(ref.dir)));
  const r = await signPack(session.ctx, pack, { keyFile: opts.key, store: session.store });
  return { id, version: pack.meta.version, digest: r.digest, keyId: r.keyId, signature: 'valid' as const, path: r.path };
}

/** `policy packs verify`: check a pack against its signature; `valid` is false unless it verifies. */
export async function verifyPackOp(session: Session, id: string) {
  requirePermission(session.identity, 'read');
  const ref = findPackDir(session.ctx, id);
  const pack = readPack(ref.dir, ref.origin, dirname(dirname(ref.dir)));
  await signOnFirstUse(session.ctx, session.store, pack);
  const check = await verifyPack(session.ctx, undefined, pack);
  return {
    id,
    version: pack.meta.version,
    digest: pack.digest,
    valid: check.status === 'valid',
    signature: check.status,
    detail: check.detail,
    keyId: check.keyId,
    path: check.path,
  };
}

/** The tenant a pack choice is for: the caller's own (policy:manage or tenant:manage), or any for a platform admin. */
function managedTenant(session: Session, ref: string | undefined): Tenant {
  const tenant = ref ? getTenant(session.store, ref) : session.tenant;
  if (isPlatformAdmin(session.store, session.identity)) return tenant;
  if (tenant.id !== session.identity.tenantId) {
    throw new AuthError(
      'CROSS_TENANT',
      `${session.identity.subject} belongs to tenant "${session.identity.tenantName}" and may not change the packs of tenant "${tenant.name}"`,
    );
  }
  if (!session.identity.permissions.includes('tenant:manage')) requirePermission(session.identity, 'policy:manage');
  return tenant;
}

function parseConfig(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return JSON.stringify(v);
  } catch (cause) {
    throw new PackUsageError('PACK_CONFIG_INVALID', `--config must be a JSON object: ${(cause as Error).message}`, {
      cause,
      hint: `e.g. --config '{"allowedRegions":{"acme":["EU"]}}'`,
    });
  }
}

/**
 * Enable or disable a pack for a tenant (its data optionally set with `config`, a JSON object text).
 * @example setPackEnabled(session, 'budget', { tenant: 'acme', enabled: false })
 */
export function setPackEnabled(session: Session, id: string, opts: { tenant?: string; enabled: boolean; config?: string }) {
  const tenant = managedTenant(session, opts.tenant);
  findPackDir(session.ctx, id);
  setTenantPack(session.store.db, tenant.id, id, opts.enabled, parseConfig(opts.config), session.identity.subject, isoNow(session.ctx));
  return { id, tenant: tenant.name, enabled: opts.enabled, ...(opts.config !== undefined ? { config: JSON.parse(opts.config) as unknown } : {}) };
}
