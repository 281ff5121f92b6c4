/**
 * Write and verify receipts: the provenance statement signed as a DSSE envelope in a sigstore
 * bundle v0.3, stored as <execution>/receipt.sigstore.json. Verification goes through
 * @sigstore/verify (thresholds 0: offline, no tlog or timestamps) with our trusted keys as the key
 * finder, plus the checks sigstore leaves to the caller: payload type, statement shape, subjects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { writeFileAtomic } from '../core/files.js';
import { canonicalJson, canonicalJsonFile } from './canonical-json.js';
import { sha256Hex } from './files.js';
import { loadSigningKey } from './keys.js';
import type { Check, ExecutionRecordLike, ProvenanceStatement, ReceiptVerification, WriteReceiptResult } from './receipts.types.js';
import { IN_TOTO_PAYLOAD_TYPE, signDsseBundle } from './signer.js';
import { buildStatement, SLSA_PROVENANCE_V1, STATEMENT_TYPE } from './statement.js';
import { type TrustedKey, verifySignedBundle } from './trust.js';

export const RECEIPT_FILE = 'receipt.sigstore.json';

/**
 * Build, sign and store the receipt of an execution (the runner's `finished` hook calls this).
 * @example const r = await writeReceipt(ctx, '/home/.maestro/executions/ex_…', record);
 */
export async function writeReceipt(
  ctx: Context,
  executionDir: string,
  record: ExecutionRecordLike,
  options: { keyRef?: string } = {},
): Promise<WriteReceiptResult> {
  const statement = await buildStatement(executionDir, record);
  const payload = Buffer.from(canonicalJson(statement), 'utf8');
  const key = loadSigningKey(ctx, options.keyRef);
  const bundle = await signDsseBundle(key, payload, IN_TOTO_PAYLOAD_TYPE);
  const path = join(executionDir, RECEIPT_FILE);
  // Temp file + rename on libuv's thread pool: after a kill -9 the receipt is the old one or the new one.
  await writeFileAtomic(path, canonicalJsonFile(bundle), { mode: 0o644 });
  return { path, keyId: key.id, statementDigest: sha256Hex(payload), subjects: statement.subject.length };
}

/**
 * The runner's `finished` hook: sign and store the receipt of an execution that just ended.
 * @example await executeWorkflow(session, { ..., hooks: { finished: receiptFinishedHook(ctx) } });
 */
export function receiptFinishedHook(ctx: Context): (record: ExecutionRecordLike, executionDir: string) => Promise<void> {
  return async (record, executionDir) => {
    await writeReceipt(ctx, executionDir, record);
  };
}

/** Read receipt.sigstore.json of an execution directory. */
export function readReceipt(executionDir: string): string {
  return readFileSync(join(executionDir, RECEIPT_FILE), 'utf8');
}

/**
 * Verify a receipt bundle against trusted public keys; optionally check its subjects against the
 * files they describe (name → sha256). A bad receipt is a result with failed checks, not an error.
 * @example const v = await verifyReceipt(readReceipt(dir), trustedKeys); if (!v.ok) …
 */
export async function verifyReceipt(
  bundleJson: string | unknown,
  trustedKeys: readonly TrustedKey[],
  options: { subjects?: ReadonlyMap<string, string> } = {},
): Promise<ReceiptVerification> {
  const checks: Check[] = [];
  const signed = await verifySignedBundle(bundleJson, trustedKeys, { expect: 'dsse', label: 'receipt' });
  checks.push(...signed.checks);
  if (!signed.envelope) return { ok: false, keyId: signed.keyId, statement: null, checks };
  const { payloadType, payload } = signed.envelope;
  const typeOk = payloadType === IN_TOTO_PAYLOAD_TYPE;
  checks.push({
    name: 'receipt.payloadType',
    ok: typeOk,
    detail: typeOk ? payloadType : `payload type is "${payloadType}", expected "${IN_TOTO_PAYLOAD_TYPE}"`,
  });
  const statement = parseStatement(payload, checks);
  if (statement && options.subjects) checks.push(checkSubjects(statement, options.subjects));
  return { ok: checks.every((c) => c.ok), keyId: signed.keyId, statement, checks };
}

function parseStatement(payload: Buffer, checks: Check[]): ProvenanceStatement | null {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    checks.push({ name: 'receipt.statement', ok: false, detail: 'the DSSE payload is not JSON' });
    return null;
  }
  const s = value as Partial<ProvenanceStatement>;
  const problems: string[] = [];
  if (s._type !== STATEMENT_TYPE) problems.push(`_type is ${JSON.stringify(s._type)}, expected ${STATEMENT_TYPE}`);
  if (s.predicateType !== SLSA_PROVENANCE_V1) problems.push(`predicateType is ${JSON.stringify(s.predicateType)}, expected ${SLSA_PROVENANCE_V1}`);
  const subjectsOk = Array.isArray(s.subject) && s.subject.every((x) => typeof x?.name === 'string' && /^[0-9a-f]{64}$/.test(String(x?.digest?.sha256)));
  if (!subjectsOk) problems.push('subject must be a list of {name, digest: {sha256}}');
  else if (s.subject!.length === 0) problems.push('subject is empty: an in-toto statement must name at least one subject');
  if (typeof s.predicate?.runDetails?.metadata?.invocationId !== 'string') problems.push('runDetails.metadata.invocationId is missing');
  checks.push({
    name: 'receipt.statement',
    ok: problems.length === 0,
    detail:
      problems.length === 0 ? `in-toto Statement v1, SLSA provenance v1, invocation ${s.predicate!.runDetails.metadata.invocationId}` : problems.join('; '),
  });
  return problems.length === 0 ? (s as ProvenanceStatement) : null;
}

// Every subject must match the file it names, and every log/output file must be a subject.
function checkSubjects(statement: ProvenanceStatement, files: ReadonlyMap<string, string>): Check {
  const problems: string[] = [];
  const named = new Set<string>();
  for (const s of statement.subject) {
    named.add(s.name);
    if (s.name.startsWith('execution:')) {
      // The identity subject of a run with no files (see buildStatement).
      const id = statement.predicate.runDetails.metadata.invocationId;
      const want = sha256Hex(canonicalJson({ id, workflow: statement.predicate.buildDefinition.externalParameters.workflow ?? null }));
      if (s.name !== `execution:${id}` || s.digest.sha256 !== want) problems.push(`subject ${s.name} does not match execution ${id}`);
      continue;
    }
    const actual = files.get(s.name);
    if (actual === undefined) problems.push(`subject ${s.name} is missing`);
    else if (actual !== s.digest.sha256) problems.push(`subject ${s.name}: sha256 is ${actual}, the receipt says ${s.digest.sha256}`);
  }
  // Every log and output must be a subject (other files, e.g. manifest.yaml, only when named).
  for (const name of files.keys())
    if ((name.startsWith('logs/') || name.startsWith('out/')) && !named.has(name)) problems.push(`${name} is not a subject of the receipt`);
  return {
    name: 'receipt.subjects',
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${statement.subject.length} subjects match` : problems.join('; '),
  };
}
