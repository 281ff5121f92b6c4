/**
 * The control plane: fastify serving the embedded engine. Routes come from route tables (one source for
 * registration, validation and the OpenAPI document); every non-public route authenticates a Bearer
 * JWT and checks its permission before the handler runs; engine errors map to statuses once.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context } from '../core/context.js';
import { EngineError, isEngineError } from '../core/errors.js';
import { openStore, type Store, schemaVersion } from '../store/index.js';
import { requirePermission } from '../tenancy/roles.js';
import { authenticateToken, ensureInitialized, type Session } from '../tenancy/session.js';
import { statusForError, toWire, type WireError } from './http-errors.js';
import { buildOpenApi } from './openapi.js';
import type { RouteContext, RouteDef } from './route.types.js';
import { allRoutes } from './routes.js';

export interface ServerOptions {
  host?: string;
  port?: number;
  /** Largest accepted request body in bytes. */
  bodyLimit?: number;
  /** Extra routes (tests, plugins). */
  routes?: RouteDef[];
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  store: Store;
  /** Stop HTTP only (streams ended, connections closed within 2 s); the store stays open for a worker pool. */
  closeHttp(): Promise<void>;
  /** Stop HTTP, then close the store. */
  close(): Promise<void>;
}

export const VERSION = '0.1.0';

/** What a remote user without a token runs (an admin issues the code). */
export const REMOTE_LOGIN_HINT =
  'get a token: maestro login --remote <server-url> --code <code>; an admin issues codes with: maestro tenants members invite <tenant> <subject> <role>';

/**
 * Start the control plane on host:port (port 0 picks a free one).
 * @example
 *   const srv = await startServer(ctx, { port: 0 }); console.log(srv.url); await srv.close();
 */
export async function startServer(ctx: Context, opts: ServerOptions = {}): Promise<RunningServer> {
  const { default: Fastify } = await import('fastify');
  // On PostgreSQL a request waits at most 2 s for a lost database, then answers 503 (ADR 0028).
  const store = openStore(ctx, { reconnectMs: 2000 });
  await ensureInitialized(ctx, store);
  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    logger: false,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // No type coercion: a number where a string is expected is a 400 naming the field, not a silent cast.
    ajv: { customOptions: { coerceTypes: false, allErrors: false, removeAdditional: false } },
  });
  // Policy packs are evaluated off the event loop, on threads holding the compiled packs warm (ADR 0016).
  const packs = await import('../policy/packs/index.js');
  packs.acquirePolicyPool(ctx.env);
  const closing = new AbortController();
  const routes = [...allRoutes(), ...(opts.routes ?? [])];
  const { observeHttp } = await import('../metrics/index.js');

  app.setErrorHandler((err: HttpError, _req, reply) => sendError(reply, err));
  app.setNotFoundHandler((req, reply) =>
    sendError(
      reply,
      new EngineError('ROUTE_NOT_FOUND', `no endpoint ${req.method} ${req.url.split('?')[0]}`, { kind: 'not_found', hint: 'see GET /api/openapi.json' }),
    ),
  );
  app.addHook('onResponse', async (req, reply) => {
    observeHttp(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
  });

  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path.replace(/\{(\w+)\}/g, ':$1'),
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      schema: definedOnly({ body: route.schema.body, params: route.schema.params, querystring: route.schema.querystring }),
      handler: async (req, reply) => handle(ctx, store, route, req, reply, closing.signal),
    });
  }
  const openapi = buildOpenApi(routes, VERSION);
  app.get('/api/openapi.json', async () => openapi);
  app.get('/healthz', async () => ({ status: 'ok', version: VERSION, schemaVersion: schemaVersion(store.db) }));

  const address = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 8080 });
  const url = address.replace('[::1]', 'localhost');
  let closed: Promise<void> | undefined;
  let storeClosed = false;
  return {
    url,
    app,
    store,
    closeHttp: () => (closed ??= shutDown(app, closing)),
    close: async () => {
      closed ??= shutDown(app, closing);
      await closed;
      if (storeClosed) return;
      storeClosed = true;
      await packs.releasePolicyPool();
      store.close();
    },
  };
}

/** In-flight requests get this long to finish on shutdown; then every connection is closed. */
export const SHUTDOWN_GRACE_MS = 1500;

/**
 * Stop: refuse new requests, end streams (their handlers see the abort), and close keep-alive
 * connections as soon as they fall idle (a follow stream's connection goes idle once the stream
 * ends, after fastify's one-time idle sweep: without the repeated sweep it lingered until the 72 s
 * keep-alive timeout). Connections still busy after SHUTDOWN_GRACE_MS are closed outright, so
 * shutdown takes under 2 s whatever clients do.
 */
async function shutDown(app: FastifyInstance, closing: AbortController): Promise<void> {
  closing.abort();
  const server = app.server;
  const sweep = setInterval(() => server.closeIdleConnections(), 25);
  const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(force);
  }
}

async function handle(ctx: Context, store: Store, route: RouteDef, req: FastifyRequest, reply: FastifyReply, signal: AbortSignal): Promise<unknown> {
  let session: Session | undefined;
  if (route.permission !== null) {
    session = await authenticate(ctx, store, req);
    requirePermission(session.identity, route.permission);
  }
  let status = route.successStatus ?? 200;
  // Only streams wait on the client or the shutdown; the listener goes when the request does.
  const closed = route.streaming
    ? new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        req.raw.on('close', () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      })
    : new Promise<void>(() => undefined);
  const rctx: RouteContext = {
    session: session as Session,
    store,
    ctx,
    body: req.body ?? {},
    params: (req.params ?? {}) as Record<string, string>,
    query: (req.query ?? {}) as Record<string, string | undefined>,
    status: (code) => (status = code),
    raw: reply.raw,
    closed,
  };
  if (route.streaming) {
    reply.hijack();
    try {
      await route.handler(rctx);
    } catch (err) {
      if (!reply.raw.headersSent) {
        const { status: code, body } = errorPayload(err as HttpError);
        reply.raw.writeHead(code, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify(body));
      } else reply.raw.end();
    }
    return reply;
  }
  const result = await route.handler(rctx);
  if (route.produces) reply.type(route.produces);
  return reply.code(status).send(result);
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function authenticate(ctx: Context, store: Store, req: FastifyRequest): Promise<Session> {
  const header = req.headers.authorization;
  if (!header || !/^Bearer\s+\S+/i.test(header)) {
    throw new EngineError('NO_TOKEN', 'no Bearer token: send "Authorization: Bearer <jwt>"', { kind: 'auth', hint: REMOTE_LOGIN_HINT });
  }
  const token = header.replace(/^Bearer\s+/i, '').trim();
  const { identity, tenant } = await authenticateToken(ctx, store, token);
  return { ctx, store, identity, tenant, created: false, close: () => undefined };
}

type HttpError = Error & {
  validation?: Array<{ instancePath?: string; params?: Record<string, unknown>; message?: string }>;
  validationContext?: string;
  statusCode?: number;
  code?: string;
};

function sendError(reply: FastifyReply, err: HttpError) {
  const { status, body } = errorPayload(err);
  return reply.code(status).type('application/json').send(body);
}

/** Map any error to an HTTP status and the wire error body. */
function errorPayload(err: HttpError): { status: number; body: WireError } {
  let status: number;
  let body: WireError;
  if (err.validation) {
    const first = err.validation[0] ?? {};
    const missing = typeof first.params?.missingProperty === 'string' ? `/${first.params.missingProperty}` : '';
    const extra = typeof first.params?.additionalProperty === 'string' ? `/${first.params.additionalProperty}` : '';
    const field = `${first.instancePath ?? ''}${missing}${extra}`.replace(/^\//, '').replace(/\//g, '.') || '(root)';
    status = 400;
    body = {
      error: {
        code: 'BAD_REQUEST',
        kind: 'usage',
        field,
        message: `${err.validationContext ?? 'request'}.${field}: ${first.message ?? 'is invalid'}${extra ? ` (${extra.slice(1)})` : ''}`,
      },
    };
  } else if (isEngineError(err)) {
    status = statusForError(err);
    body = toWire(err);
  } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    status = err.statusCode;
    body = { error: { code: err.code ?? 'BAD_REQUEST', kind: 'usage', message: err.message } };
  } else {
    // Unexpected: the detail (which may hold server paths) goes to the server's stderr, not the client.
    status = 500;
    process.stderr.write(`maestro serve: internal error: ${err.stack ?? err.message}\n`);
    body = { error: { code: 'INTERNAL', kind: 'error', message: 'internal error (the server log has the details)' } };
  }
  return { status, body };
}
