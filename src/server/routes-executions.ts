/** Routes for plans, executions and policy packs: thin wrappers over the engine's operations. */
import { EngineError } from '../core/errors.js';
import type { JsonSchema, RouteDef } from './route.types.js';

const manifestBody: Record<string, JsonSchema> = {
  manifest: { type: 'string', minLength: 1, maxLength: 1024 * 1024, description: 'The manifest YAML text' },
  name: { type: 'string', minLength: 1, maxLength: 128, description: 'File name used in messages' },
  region: { type: 'string', minLength: 1, maxLength: 32 },
  path: { type: 'string', maxLength: 4096, description: "The client's path of the manifest (shown in plans)" },
};
const workspaceBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['root', 'files'],
  properties: {
    root: { type: 'string', minLength: 1, maxLength: 1024 },
    files: {
      type: 'array',
      maxItems: 10000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'mode', 'data'],
        properties: { path: { type: 'string', minLength: 1, maxLength: 1024 }, mode: { type: 'integer', minimum: 0, maximum: 511 }, data: { type: 'string' } },
      },
    },
  },
};
/** Per server (store): the embedded pool to wake and the queue depth past which publishes get 429. */
export interface ExecutionServiceConfig {
  maxQueue: number;
  onQueued?: (id: string) => void;
  /** Seconds a client is told to wait in Retry-After. */
  retryAfterSec?: number;
}

const services = new WeakMap<object, ExecutionServiceConfig>();
/** The default queue depth limit ($MAESTRO_MAX_QUEUE, else 10,000). */
export const DEFAULT_MAX_QUEUE = 10_000;

/**
 * Configures the execution service of a server's store (maestro serve: --max-queue, its embedded pool).
 * @example configureExecutionService(srv.store, { maxQueue: 5000, onQueued: () => pool.wake() });
 */
export function configureExecutionService(store: { db: object }, config: ExecutionServiceConfig): void {
  services.set(store.db, config);
}

const idParams: JsonSchema = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } };
const engine = () => import('../engine/index.js');
const runner = () => import('../runner/index.js');
const packs = () => import('../policy/packs/index.js');

export const executionRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/api/plan',
    summary: 'Return execution plan & cost estimate (estimatedCostUSD) with the policy decision',
    tag: 'plan',
    permission: 'plan',
    schema: {
      body: { type: 'object', additionalProperties: false, required: ['manifest'], properties: { ...manifestBody, explain: { type: 'boolean' } } },
      response: {
        type: 'object',
        properties: { estimatedCostUSD: { type: 'number' }, allow: { type: 'boolean' }, tasks: { type: 'array' }, policy: { type: 'object' } },
      },
    },
    handler: async ({ session, body }) =>
      (await engine()).planWithPolicy(session, {
        manifestSource: body.manifest,
        manifestName: body.name ?? 'manifest.yaml',
        ...(body.path ? { manifestDisplayPath: body.path } : {}),
        explain: body.explain === true,
        ...(body.region ? { region: body.region } : {}),
      }),
  },
  {
    method: 'POST',
    path: '/api/executions',
    summary:
      'Publish a run (plan, policy decision, atomic quota + budget admission) and queue it; a worker pool executes it. ' +
      '"queue": true waits queued for a quota slot instead of a denial. 429 with Retry-After when the queue is full (serve --max-queue)',
    tag: 'executions',
    permission: 'run',
    successStatus: 201,
    bodyLimit: 48 * 1024 * 1024,
    errors: { 429: "The queue is full (serve --max-queue): retry after the Retry-After header's seconds" },
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['manifest'],
        properties: {
          ...manifestBody,
          sandbox: { type: 'string', enum: ['bwrap', 'none'] },
          workspace: workspaceBody,
          queue: { type: 'boolean', description: 'Wait queued for a free concurrency slot instead of being denied (budget denials never wait)' },
        },
      },
    },
    handler: async ({ session, body, store, raw }) => {
      const service = services.get(store.db);
      const maxQueue = service?.maxQueue ?? (Number(session.ctx.env.MAESTRO_MAX_QUEUE) || DEFAULT_MAX_QUEUE);
      const { queueCounts } = await import('../store/queue.js');
      const depth = queueCounts(store.db).queued;
      if (depth >= maxQueue) {
        const retryAfter = service?.retryAfterSec ?? 2;
        raw.setHeader('retry-after', String(retryAfter));
        throw new EngineError('QUEUE_FULL', `the execution queue is full (${depth} queued, limit ${maxQueue}): retry in ${retryAfter} s`, {
          hint: 'retry after the Retry-After header; an operator can raise serve --max-queue or add workers',
          details: { queued: depth, maxQueue, retryAfterSec: retryAfter },
        });
      }
      const r = await (await engine()).publishRun(
        session,
        { manifest: body.manifest, name: body.name, sandbox: body.sandbox, region: body.region, workspace: body.workspace, queue: body.queue === true },
        service?.onQueued ? { onQueued: service.onQueued } : {},
      );
      return { ...r.record, warnings: r.warnings };
    },
  },
  {
    method: 'GET',
    path: '/api/executions',
    summary: "List the tenant's executions, newest first",
    tag: 'executions',
    permission: 'read',
    schema: {},
    handler: async ({ session }) => (await runner()).listAllExecutions(session),
  },
  {
    method: 'GET',
    path: '/api/executions/{id}',
    summary: 'An execution (id "latest" for the newest) with its cost; ?explain=1 adds decisions and budget context',
    tag: 'executions',
    permission: 'read',
    schema: { params: idParams, querystring: { type: 'object', properties: { explain: { type: 'string', enum: ['0', '1', 'true', 'false'] } } } },
    handler: async ({ session, params, query }) =>
      (await engine()).executionStatusView(session, {
        ...(params.id === 'latest' ? {} : { id: params.id }),
        explain: query.explain === '1' || query.explain === 'true',
      }),
  },
  {
    method: 'GET',
    path: '/api/executions/{id}/logs',
    summary: 'Log lines as NDJSON ({task, ts, stream, line}); ?follow=1 streams until the execution ends',
    tag: 'executions',
    permission: 'read',
    produces: 'application/x-ndjson',
    streaming: true,
    schema: {
      params: idParams,
      querystring: { type: 'object', properties: { task: { type: 'string', maxLength: 64 }, follow: { type: 'string', enum: ['0', '1', 'true', 'false'] } } },
    },
    handler: async ({ session, params, query, raw, closed }) => {
      const abort = new AbortController();
      void closed.then(() => abort.abort());
      let started = false;
      const start = () => {
        if (!started) raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
        started = true;
      };
      const follow = query.follow === '1' || query.follow === 'true';
      await (await runner()).streamLogs(session, params.id!, { ...(query.task ? { task: query.task } : {}), follow, signal: abort.signal }, (l) => {
        start();
        raw.write(`${JSON.stringify(l)}\n`);
      });
      start();
      raw.end();
      return undefined;
    },
  },
  {
    method: 'POST',
    path: '/api/executions/{id}/cancel',
    summary: 'Cancel a run',
    tag: 'executions',
    permission: 'cancel',
    schema: { params: idParams },
    handler: async ({ session, params }) => (await runner()).cancelExecutions(session, { id: params.id! }),
  },
  {
    method: 'POST',
    path: '/api/executions/cancel',
    summary: "Cancel every queued or running execution of the caller's tenant",
    tag: 'executions',
    permission: 'cancel',
    schema: {},
    handler: async ({ session }) => (await runner()).cancelExecutions(session, { all: true }),
  },
  {
    method: 'GET',
    path: '/api/policy-packs',
    summary: 'List available policy packs',
    tag: 'policy',
    permission: 'read',
    schema: {},
    handler: async ({ session }) => (await packs()).listPacks(session),
  },
  {
    method: 'GET',
    path: '/api/policy-packs/{id}',
    summary: 'Fetch pack metadata & signed digest',
    tag: 'policy',
    permission: 'read',
    schema: { params: idParams },
    handler: async ({ session, params }) => (await packs()).showPack(session, params.id!),
  },
];
