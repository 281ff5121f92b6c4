/**
 * Evidence a remote user fetches: the server's public keys, an execution's receipt, its disclosure
 * pack. Each is scoped to the caller's tenant (another tenant's execution is "not found").
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../core/errors.js';
import type { Session } from '../tenancy/index.js';
import { requirePermission } from '../tenancy/index.js';
import type { TrustedKeyView } from './keys.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'denied']);
/** At most 3 s (30 × 100 ms) of waiting for a just-finished execution's receipt. */
const RECEIPT_WAIT_STEPS = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One key of GET /api/keys: the trusted list with each key's status (ADR 0030). */
export type PublicKeyView = TrustedKeyView;

/** The trusted receipt-signing public keys (to verify receipts and packs offline), with their status. */
export async function publicKeys(session: Session): Promise<PublicKeyView[]> {
  requirePermission(session.identity, 'read');
  const keys = await import('./keys.js');
  await keys.enrolLocalKeys(session);
  return keys.trustedKeyViews(session);
}

/** The signed receipt (sigstore bundle JSON) of one of the caller's executions. */
export async function executionReceipt(session: Session, id: string): Promise<unknown> {
  requirePermission(session.identity, 'read');
  const [{ findExecution }, { readReceipt, RECEIPT_FILE }, { evidenceFile }] = await Promise.all([
    import('../runner/index.js'),
    import('../receipts/index.js'),
    import('../store/logs.js'),
  ]);
  const row = findExecution(session, id);
  // ADR 0030: the receipt is in the database once sealed (any replica); the worker's dir is a fallback.
  const read = (): string | undefined => {
    const stored = evidenceFile(session.store.db, id, RECEIPT_FILE);
    if (stored) return stored.content.toString('utf8');
    return row.dir && existsSync(join(row.dir, RECEIPT_FILE)) ? readReceipt(row.dir) : undefined;
  };
  // The worker signs the receipt just after marking the execution finished: wait a moment for it.
  let text = read();
  for (let i = 0; i < RECEIPT_WAIT_STEPS && TERMINAL.has(row.status) && text === undefined; i++) {
    await sleep(100);
    text = read();
  }
  if (text === undefined) {
    throw new NotFoundError('RECEIPT_NOT_FOUND', `execution ${id} has no receipt yet (status ${row.status})`, {
      hint: `receipts are signed when an execution ends: maestro status ${id}`,
    });
  }
  return JSON.parse(text);
}

/**
 * Export one of the caller's executions as a pack into a private temp file; the caller streams it
 * and then calls `cleanup`.
 */
export async function executionDisclosure(session: Session, id: string): Promise<{ path: string; bytes: number; sha256: string; cleanup(): void }> {
  requirePermission(session.identity, 'read');
  const { findExecution } = await import('../runner/index.js');
  findExecution(session, id); // 404 for unknown or foreign ids, before any work
  const { exportDisclosure } = await import('./disclose.js');
  const dir = mkdtempSync(join(session.ctx.home, 'runtime-disclosure-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const r = await exportDisclosure(session, { executionId: id, output: join(dir, `${id}.disclosure.zip`) });
    return { path: r.path, bytes: r.bytes, sha256: r.sha256, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
