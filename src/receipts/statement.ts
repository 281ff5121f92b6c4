/**
 * The receipt's content: an in-toto Statement v1 with a SLSA provenance v1 predicate built from an
 * execution directory and its record. Pure data from the inputs (no clock): the same execution
 * always gives the same statement bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from './canonical-json.js';
import { sha256File, sha256Hex, subjectFilesAsync } from './files.js';
import type { ExecutionRecordLike, ProvenanceStatement, ResourceDescriptor } from './receipts.types.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const BUILD_TYPE = 'https://maestro-conductor.dev/buildtypes/execution/v1';
export const BUILDER_ID = 'https://maestro-conductor.dev/builder/maestro';

/** Build the provenance statement of an execution (hashes its logs and outputs, streaming). */
export async function buildStatement(executionDir: string, record: ExecutionRecordLike): Promise<ProvenanceStatement> {
  const subject: ProvenanceStatement['subject'] = [];
  for (const f of (await subjectFilesAsync(executionDir)).files) subject.push({ name: f.path, digest: { sha256: (await sha256File(f.absPath)).sha256 } });
  const manifest = await fileDigest(executionDir, 'manifest.yaml');
  // An in-toto statement needs at least one subject: a run with no logs or outputs (denied, or
  // cancelled before any task) attests its manifest, else its identity.
  if (subject.length === 0)
    subject.push(
      manifest
        ? { name: 'manifest.yaml', digest: manifest }
        : { name: `execution:${record.id}`, digest: { sha256: sha256Hex(canonicalJson({ id: record.id, workflow: record.workflow ?? null })) } },
    );
  const [decisions, plan] = await Promise.all([readJson(executionDir, 'decisions.json'), readJson(executionDir, 'plan.json')]);
  const metadata: ProvenanceStatement['predicate']['runDetails']['metadata'] = { invocationId: record.id };
  const startedOn = record.startedAt ?? record.publishedAt ?? record.createdAt;
  if (typeof startedOn === 'string') metadata.startedOn = startedOn;
  if (typeof record.finishedAt === 'string') metadata.finishedOn = record.finishedAt;
  return {
    _type: STATEMENT_TYPE,
    subject,
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: {
          manifest: { name: 'manifest.yaml', ...(manifest ? { digest: manifest } : {}) },
          workflow: record.workflow ?? null,
          parameters: record.parameters ?? {},
        },
        internalParameters: { tenant: record.tenant ?? null, tenantId: record.tenantId ?? null, subject: record.subject ?? null },
        resolvedDependencies: policyPacks(record, decisions.value),
      },
      runDetails: {
        builder: { id: BUILDER_ID, version: { maestro: maestroVersion() } },
        metadata,
        byproducts: byproducts(record, decisions, plan),
      },
    },
  };
}

// Policy pack digests: from decisions.json (a decision or a list of them, each with packs [{id|name,
// version, digest}]) or from the record ({policy: {packs}} or {packs}); deduplicated, sorted.
function policyPacks(record: ExecutionRecordLike, decisions: unknown): ResourceDescriptor[] {
  const sources = [...(Array.isArray(decisions) ? decisions : [decisions]).map((d) => asRecord(d)?.packs), asRecord(record.policy)?.packs, record.packs];
  const out = new Map<string, ResourceDescriptor>();
  for (const p of sources.flatMap((s) => (Array.isArray(s) ? (s as unknown[]) : []))) {
    const pack = asRecord(p);
    const digest = pack?.digest ?? pack?.sha256;
    const name = typeof pack?.name === 'string' ? pack.name : typeof pack?.id === 'string' ? pack.id : undefined;
    const hex = typeof digest === 'string' ? digest.replace(/^sha256:/, '') : asRecord(digest)?.sha256;
    if (name === undefined || typeof hex !== 'string') continue;
    const version = typeof pack?.version === 'string' ? `@${pack.version}` : '';
    out.set(`${name}${version} ${hex}`, { name: `policy-pack:${name}`, uri: `maestro:policy-pack/${name}${version}`, digest: { sha256: hex } });
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
}

// Byproducts: decisions, estimate vs actual cost, sandbox profile, measured usage, audited writes.
function byproducts(record: ExecutionRecordLike, decisions: JsonFile, plan: JsonFile): ResourceDescriptor[] {
  const tasks = record.tasks ?? [];
  const data: Array<[string, string | null, Record<string, unknown>]> = [
    ['decisions', decisions.digest, { decisions: decisions.value ?? null }],
    ['cost', plan.digest, { estimate: costEstimate(plan.value), actual: record.cost ?? null }],
    ['sandbox', null, { profile: record.sandbox ?? null, seccomp: record.seccomp ?? null, apparmor: record.apparmor ?? null }],
    ['usage', null, { tasks: tasks.map((t) => ({ id: t.id, status: t.status ?? null, exitCode: t.exitCode ?? null, usage: t.usage ?? null })) }],
    ['audited-writes', null, { writes: tasks.flatMap((t) => (t.writes ?? []).map((w) => ({ task: t.id, ...w }))) }],
  ];
  return data.map(([name, fileDigestHex, annotations]) => ({
    name,
    mediaType: 'application/json',
    // A descriptor needs a digest: the source file's when there is one, else the annotations' own.
    digest: { sha256: fileDigestHex ?? sha256Hex(canonicalJson(annotations)) },
    annotations,
  }));
}

function costEstimate(plan: unknown): unknown {
  const p = asRecord(plan);
  if (!p) return null;
  for (const k of ['estimate', 'estimatedCostMicros', 'estimatedMicros', 'totalMicros', 'estimatedCostUSD', 'total'])
    if (p[k] !== undefined) return { [k]: p[k] };
  return null;
}

interface JsonFile {
  value: unknown;
  digest: string | null;
}

const missing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

// Read on libuv's thread pool (a server builds a statement per execution).
async function readJson(dir: string, name: string): Promise<JsonFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, name));
  } catch (err) {
    if (missing(err)) return { value: null, digest: null };
    throw err;
  }
  try {
    return { value: JSON.parse(bytes.toString('utf8')) as unknown, digest: sha256Hex(bytes) };
  } catch {
    return { value: null, digest: sha256Hex(bytes) };
  }
}

async function fileDigest(dir: string, name: string): Promise<{ sha256: string } | null> {
  try {
    return { sha256: (await sha256File(join(dir, name))).sha256 };
  } catch (err) {
    if (missing(err)) return null;
    throw err;
  }
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

let cachedVersion: string | undefined;
/** The maestro package version (found by walking up from this module to package.json). */
export function maestroVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const p = join(dir, 'package.json');
    if (!existsSync(p)) continue;
    const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'maestro-conductor' && pkg.version) {
      cachedVersion = pkg.version;
      return cachedVersion;
    }
  }
  cachedVersion = '0.0.0';
  return cachedVersion;
}
