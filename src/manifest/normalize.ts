/** Validated data → the typed, normalised Manifest every room reads; and the DAG's run order. */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { EngineError } from '../core/errors.js';
import type { LoadedManifest, Manifest, TaskResources, TaskSpec } from './manifest.types.js';

/** Defaults of a task's resources when the manifest leaves them out. */
export const DEFAULT_RESOURCES: Required<Omit<TaskResources, 'expectedSec'>> = {
  cpu: 1,
  memoryMB: 256,
  timeoutSec: 600,
  tmpMB: 64,
  pids: 256,
  outMB: 1024,
  fds: 1024,
  logMB: 64,
};

// biome-ignore lint/suspicious/noExplicitAny: the document was validated by the Manifest v1 schema before normalisation reads it
type Raw = Record<string, any>;

export interface NormalizeInput {
  /** Schema- and semantics-valid data. */
  data: unknown;
  /** Absolute path of the manifest file. */
  path: string;
  source: string | Buffer;
  /** Folder the workspace is resolved against (the manifest's folder). */
  baseDir: string;
}

/** Fill defaults, resolve the workspace, compute the digest. Call only on valid data. */
export function normalize(input: NormalizeInput): LoadedManifest {
  const raw = input.data as Raw;
  const spec = raw.spec as Raw;
  const specNetwork = spec.network === true;
  const tasks: TaskSpec[] = (spec.tasks as Raw[]).map((t) => ({
    id: t.id,
    uses: t.uses,
    run: t.run,
    needs: [...((t.needs as string[] | undefined) ?? [])],
    resources: { ...DEFAULT_RESOURCES, ...((t.resources as Partial<TaskResources> | undefined) ?? {}) },
    env: { ...((t.env as Record<string, string> | undefined) ?? {}) },
    network: typeof t.network === 'boolean' ? t.network : specNetwork,
  }));
  const manifest: Manifest = {
    apiVersion: 'maestro/v1',
    kind: 'Workflow',
    metadata: { name: raw.metadata.name, labels: { ...(raw.metadata.labels ?? {}) } },
    spec: {
      region: spec.region,
      resourceClass: spec.resourceClass,
      ...(typeof spec.workspace === 'string' ? { workspace: resolve(input.baseDir, spec.workspace) } : {}),
      network: specNetwork,
      tasks,
    },
  };
  const bytes = typeof input.source === 'string' ? Buffer.from(input.source, 'utf8') : input.source;
  return {
    manifest,
    path: input.path,
    source: bytes.toString('utf8'),
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  };
}

/**
 * Tasks in a stable topological order: a task comes after everything it needs; among tasks that are
 * ready at the same time, declaration order wins.
 */
export function topoOrder(m: Manifest | LoadedManifest): TaskSpec[] {
  const tasks = 'manifest' in m ? m.manifest.spec.tasks : m.spec.tasks;
  const pending = new Map(tasks.map((t) => [t.id, new Set(t.needs)]));
  const order: TaskSpec[] = [];
  while (order.length < tasks.length) {
    const next = tasks.find((t) => pending.get(t.id)?.size === 0);
    if (!next) {
      const stuck = tasks.filter((t) => pending.has(t.id)).map((t) => t.id);
      throw new EngineError('MANIFEST_CYCLE', `tasks ${stuck.join(', ')} depend on each other or on unknown tasks`, {
        hint: 'validate the manifest first: maestro manifest validate <file>',
      });
    }
    order.push(next);
    pending.delete(next.id);
    for (const deps of pending.values()) deps.delete(next.id);
  }
  return order;
}
