/** `maestro disclose export`: the pack export, authorised for the caller and logged for the TAT metric. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { EngineError } from '../core/errors.js';
import { writerTag } from '../core/proc.js';
import type { ExportOptions, ExportResult, VerifyOptions, VerifyResult } from '../disclose/index.js';
import { insertExport } from '../store/disclosure.js';
import { isPlatformAdmin, requirePermission, type Session } from '../tenancy/index.js';

/**
 * Export a disclosure pack of one of the caller's executions and record how long it took.
 * @example const r = await exportDisclosure(session, { executionId: 'ex_…', output: 'pack.zip' });
 */
export async function exportDisclosure(session: Session, options: Omit<ExportOptions, 'caller'>): Promise<ExportResult> {
  requirePermission(session.identity, 'read');
  // Evidence a dead runner never wrote is rebuilt from the store first (ADR 0015): this execution's
  // first, however many others wait to be sealed, then a bounded sweep.
  await (await import('./hooks.js')).recoverExecutions(session, 20, { first: options.executionId });
  const { exportPack } = await import('../disclose/index.js');
  // ADR 0030: the pack's index is signed by this replica's key, which is on the trusted list first.
  await (await import('./keys.js')).enrolLocalKeys(session);
  const started = session.ctx.clock.now();
  const source = await evidenceFromDatabase(session, options.executionId);
  let result: ExportResult;
  try {
    result = await exportPack(session.ctx, {
      ...options,
      ...(source ? { sourceDir: source.dir } : {}),
      caller: { tenantId: session.identity.tenantId, tenantName: session.identity.tenantName, platformAdmin: isPlatformAdmin(session.store, session.identity) },
    });
  } finally {
    source?.cleanup();
  }
  const finished = session.ctx.clock.now();
  insertExport(session.store.db, {
    id: session.ctx.random.uuid(),
    execution_id: result.executionId,
    tenant_id: session.identity.tenantId,
    started_at: new Date(started).toISOString(),
    finished_at: new Date(finished).toISOString(),
    seconds: (finished - started) / 1000,
    bytes: result.bytes,
    uploaded: options.to ? 1 : 0,
  });
  return result;
}

/**
 * ADR 0030: an execution sealed into the database is exported from there (any replica, whatever
 * worker ran it), laid out in a private temp directory; undefined when the database holds no
 * evidence for it (not sealed yet, or sealed before migration 011): the state home's directory serves.
 */
async function evidenceFromDatabase(session: Session, id: string): Promise<{ dir: string; cleanup(): void } | undefined> {
  const [{ hasEvidenceFiles }, runner, { existsSync }] = await Promise.all([import('../store/logs.js'), import('../runner/index.js'), import('node:fs')]);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id) || !hasEvidenceFiles(session.store.db, id)) return undefined;
  // Named after this process (ADR 0038; EVIDENCE_DIR_PREFIX): the next export removes it if this one is killed.
  const dir = mkdtempSync(join(session.ctx.home, `runtime-evidence-${writerTag()}-`));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const { missing } = await runner.materialiseEvidence(session.store.db, id, dir);
    if (missing.length === 0) return { dir, cleanup };
    cleanup();
    // Outputs past the evidence cap stayed on the worker's disk: use them when this host has them.
    const local = join(session.ctx.home, 'executions', id);
    if (existsSync(join(local, 'execution.json'))) return undefined;
    throw new EngineError(
      'EVIDENCE_INCOMPLETE',
      `execution ${id}: the database lacks ${missing.length} receipt subject(s) (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}); they exceeded MAESTRO_EVIDENCE_CAP_BYTES and stayed on the worker that ran it`,
      { hint: 'export from the host that ran it, or raise MAESTRO_EVIDENCE_CAP_BYTES on the workers' },
    );
  } catch (err) {
    cleanup();
    throw err;
  }
}

/**
 * `disclose verify` on a state home: without key files, trust exactly the database's trusted list
 * (ADR 0030; this home's own keys are enrolled first, a revoked key stays revoked). A state home with
 * no database yet is not created: its key store (empty, usually) is what it trusts, as before.
 * @example const r = await verifyDisclosure(ctx, 'pack.zip'); process.exitCode = r.ok ? 0 : 1;
 */
export async function verifyDisclosure(ctx: Context, pack: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const [{ verifyPack }, keys, store] = await Promise.all([import('../disclose/index.js'), import('./keys.js'), import('../store/index.js')]);
  if ((options.keyFiles && options.keyFiles.length > 0) || !existsSync(store.dbPath(ctx.home))) return verifyPack(ctx, pack, options);
  const opened = store.openStore(ctx);
  try {
    await keys.enrolLocalKeys({ ctx, store: opened }, { ensureDefault: false });
    return await verifyPack(ctx, pack, { ...options, trustedKeys: keys.trustedKeysOf(opened) });
  } finally {
    opened.close();
  }
}
