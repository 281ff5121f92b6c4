/**
 * Evidence a remote user fetches: the server's public keys, an execution's receipt, its disclosure
 * pack. Each is scoped to the caller's tenant (another tenant's execution is "not found").
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../core/errors.js';
import type { Session } from '../tenancy/index.js';
import { requirePermission } from '../tenancy/index.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'denied']);
/** At most 3 s (30 × 100 ms) of waiting for a just-finished execution's receipt. */
const RECEIPT_WAIT_STEPS = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PublicKeyView {
  id: string;
  name: string;
  algorithm: string;
  createdAt: string;
  default: boolean;
  publicKeyPem: string;
}

/** The receipt-signing public keys of this engine (to verify receipts and packs offline). */
export async function publicKeys(session: Session): Promise<PublicKeyView[]> {
  requirePermission(session.identity, 'read');
  const { listKeys, readPublicKeyPem } = await import('../receipts/index.js');
  return listKeys(session.ctx).map((k) => ({
    id: k.id,
    name: k.name,
    algorithm: k.algorithm,
    createdAt: k.createdAt,
    default: k.default,
    publicKeyPem: readPublicKeyPem(session.ctx, k.name).pem,
  }));
}

/** The signed receipt (sigstore bundle JSON) of one of the caller's executions. */
export async function executionReceipt(session: Session, id: string): Promise<unknown> {
  requirePermission(session.identity, 'read');
  const [{ findExecution }, { readReceipt, RECEIPT_FILE }] = await Promise.all([import('../runner/index.js'), import('../receipts/index.js')]);
  const row = findExecution(session, id);
  // The worker signs the receipt just after marking the execution finished: wait a moment for it.
  for (let i = 0; i < RECEIPT_WAIT_STEPS && TERMINAL.has(row.status) && row.dir && !existsSync(join(row.dir, RECEIPT_FILE)); i++) await sleep(100);
  if (!row.dir || !existsSync(join(row.dir, RECEIPT_FILE))) {
    throw new NotFoundError('RECEIPT_NOT_FOUND', `execution ${id} has no receipt yet (status ${row.status})`, {
      hint: `receipts are signed when an execution ends: maestro status ${id}`,
    });
  }
  return JSON.parse(readReceipt(row.dir));
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
