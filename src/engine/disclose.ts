/** `maestro disclose export`: the pack export, authorised for the caller and logged for the TAT metric. */
import type { ExportOptions, ExportResult } from '../disclose/index.js';
import { insertExport } from '../store/disclosure.js';
import { isPlatformAdmin, requirePermission, type Session } from '../tenancy/index.js';

/**
 * Export a disclosure pack of one of the caller's executions and record how long it took.
 * @example const r = await exportDisclosure(session, { executionId: 'ex_…', output: 'pack.zip' });
 */
export async function exportDisclosure(session: Session, options: Omit<ExportOptions, 'caller'>): Promise<ExportResult> {
  requirePermission(session.identity, 'read');
  // Evidence a dead runner never wrote is rebuilt from the store first (ADR 0015).
  await (await import('./hooks.js')).recoverExecutions(session, 20);
  const { exportPack } = await import('../disclose/index.js');
  const started = session.ctx.clock.now();
  const result = await exportPack(session.ctx, {
    ...options,
    caller: { tenantId: session.identity.tenantId, tenantName: session.identity.tenantName, platformAdmin: isPlatformAdmin(session.store, session.identity) },
  });
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
