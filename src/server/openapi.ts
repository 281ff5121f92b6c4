/** The OpenAPI 3.1 document, generated from the same route table the server validates with. */
import type { JsonSchema, RouteDef } from './route.types.js';

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'kind'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        kind: { type: 'string', enum: ['error', 'usage', 'denied', 'auth', 'not_found'] },
        details: { type: 'object', description: 'structured context (e.g. every manifest error with file:line:col)' },
        hint: { type: 'string' },
        field: { type: 'string', description: 'the request field a 400 is about' },
      },
    },
  },
};

/**
 * Build the document for a set of routes.
 * @example buildOpenApi(allRoutes(), '0.1.0').paths['/api/tenants']
 */
export function buildOpenApi(routes: RouteDef[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: operationId(r),
      ...(r.permission ? { security: [{ bearer: [] }], 'x-maestro-permission': r.permission } : { security: [] }),
      parameters: [...parameters(r.schema.params, 'path'), ...parameters(r.schema.querystring, 'query')],
      responses: {
        [String(r.successStatus ?? 200)]: {
          description: 'OK',
          content: { [r.produces ?? 'application/json']: r.schema.response ? { schema: r.schema.response } : {} },
        },
        ...errorResponses(r),
        ...Object.fromEntries(Object.entries(r.errors ?? {}).map(([code, text]) => [code, routeError(Number(code), text)])),
      },
    };
    if (r.schema.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.schema.body } } };
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = op;
  }
  const tags = [...new Set(routes.map((r) => r.tag))].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? `${name} endpoints` }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Maestro Conductor control plane',
      version,
      description:
        'The HTTP control plane of `maestro serve`: tenants, plans, executions, logs, policy packs and evidence (receipts, disclosure packs, keys). Authenticate with a Bearer JWT (`maestro login`).',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    servers: [{ url: 'http://127.0.0.1:8080', description: 'maestro serve on its default address (use --host/--port for others)' }],
    tags,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: { Error: ERROR_SCHEMA } },
    paths,
  };
}

/** Statuses a route can answer besides success, from what the server actually does. */
function errorResponses(r: RouteDef): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.schema.body || r.schema.params || r.schema.querystring) out['400'] = errorResponse('invalid request: the body names the field');
  if (r.permission || r.path === '/api/enrol')
    out['401'] = errorResponse(r.path === '/api/enrol' ? 'the enrolment code is unknown, used or expired' : 'no token, or a bad or expired one');
  if (r.permission) out['403'] = errorResponse('the role or the tenant does not allow it');
  if (r.schema.params) out['404'] = errorResponse('not found, or not in your tenant (the same answer either way)');
  if (r.method === 'POST' && r.path === '/api/tenants') out['409'] = errorResponse('a tenant with that name exists');
  if (r.schema.body) out['413'] = errorResponse('the body is larger than the limit of this route');
  if (TOO_MANY.has(`${r.method} ${r.path}`)) out['429'] = errorResponse('too many at once (queue admission or open codes); retry later', true);
  if (Object.keys(out).length === 0) out['404'] = errorResponse('no such endpoint');
  return out;
}

/** Routes that can answer 429 beyond what they declare (too many open enrolment codes). */
const TOO_MANY = new Set(['POST /api/tenants/{id}/invites']);

/** A status a route declares itself (`errors`); 429 and 503 say when to retry. */
function routeError(code: number, description: string) {
  return errorResponse(description, code === 429 || code === 503);
}

function errorResponse(description: string, retryAfter = false) {
  const content = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  if (!retryAfter) return { description, content };
  return { description, headers: { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } }, content };
}

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: s }));
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  identity: 'Who the caller is; enrolment of remote users.',
  tenants: 'Tenants, their settings, members and invitations.',
  executions: 'Plans, runs, status, logs and cancellation.',
  evidence: 'Public keys, receipts and disclosure packs.',
  observability: 'Prometheus metrics.',
  policy: 'Policy packs.',
  plan: 'Execution plans with cost estimates and policy verdicts.',
};

function operationId(r: RouteDef): string {
  const words = r.path
    .replace(/^\/api\//, '')
    .split('/')
    .map((p) => (p.startsWith('{') ? `by-${p.slice(1, -1)}` : p))
    .join('-');
  return `${r.method.toLowerCase()}-${words || 'root'}`.replace(/[^a-zA-Z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}
