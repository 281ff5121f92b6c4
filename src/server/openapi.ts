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
        ...(r.schema.body || r.schema.params || r.schema.querystring ? { '400': errorResponse('invalid request: the body names the field') } : {}),
        ...(r.permission ? { '401': errorResponse('no token or a bad one'), '403': errorResponse('role or tenant does not allow it') } : {}),
        ...Object.fromEntries(Object.entries(r.errors ?? {}).map(([code, text]) => [code, routeError(Number(code), text)])),
      },
    };
    if (r.schema.body) op.requestBody = { required: true, content: { 'application/json': { schema: r.schema.body } } };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Maestro Conductor control plane', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: { Error: ERROR_SCHEMA } },
    paths,
  };
}

function routeError(code: number, description: string) {
  const retry = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };
  return { ...errorResponse(description), ...(code === 429 || code === 503 ? { headers: retry } : {}) };
}

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: s }));
}

function operationId(r: RouteDef): string {
  const words = r.path
    .replace(/^\/api\//, '')
    .split('/')
    .map((p) => (p.startsWith('{') ? 'by-' + p.slice(1, -1) : p))
    .join('-');
  return `${r.method.toLowerCase()}-${words || 'root'}`.replace(/[^a-zA-Z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}
