/** Routes for identity and tenants (spec §7): thin wrappers over the tenancy room's operations. */
import { NotFoundError } from '../core/errors.js';
import { whoami } from '../engine/whoami.js';
import { membersList, membersSet, ROLES, tenantsCreate, tenantsList, tenantsSet } from '../tenancy/index.js';
import type { JsonSchema, RouteDef } from './route.types.js';

const money: JsonSchema = { type: 'string', pattern: '^\\$?\\d{1,12}(\\.\\d{1,6})?$', description: 'USD amount, e.g. "500" or "12.50"' };
const tenantSettings: Record<string, JsonSchema> = {
  dailyBudgetUSD: { anyOf: [money, { type: 'number', minimum: 0 }] },
  maxConcurrent: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  dayTimezone: { type: 'string', minLength: 1, maxLength: 64 },
  requireSandbox: { type: 'boolean' },
  costEstimate: {
    type: 'string',
    enum: ['point', 'high'],
    description: "The estimate the budget admits runs with: 'point' (default) or 'high' (the interval's upper end)",
  },
};

const tenantView: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    dailyBudgetUSD: { type: 'number' },
    maxConcurrent: { type: 'integer' },
    dayTimezone: { type: 'string' },
    requireSandbox: { type: 'boolean' },
    createdAt: { type: 'string' },
    costEstimate: { type: 'string', enum: ['point', 'high'] },
  },
};

const idParams: JsonSchema = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 128 } } };

/**
 * Run a handler for the tenant named in the path, answering a foreign tenant exactly as an unknown one
 * (same 404, same body): tenant names cannot be probed through the API.
 */
function inTenant<T>(ref: string, handler: () => T): T {
  try {
    return handler();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'CROSS_TENANT' || code === 'TENANT_NOT_FOUND')
      throw new NotFoundError('TENANT_NOT_FOUND', `tenant "${ref}" does not exist`, { hint: 'maestro tenants list' });
    throw err;
  }
}

function settingsInput(body: Record<string, unknown>) {
  return {
    dailyBudget: body.dailyBudgetUSD === undefined ? undefined : String(body.dailyBudgetUSD),
    maxConcurrent: body.maxConcurrent === undefined ? undefined : String(body.maxConcurrent),
    dayTimezone: body.dayTimezone as string | undefined,
    requireSandbox: body.requireSandbox as boolean | undefined,
    costEstimate: body.costEstimate as string | undefined,
  };
}

export const tenancyRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/api/whoami',
    summary: "The caller's identity, quota and budget use (spec §15.2)",
    tag: 'identity',
    permission: 'read',
    schema: {
      response: {
        type: 'object',
        properties: {
          subject: { type: 'string' },
          tenant: { type: 'string' },
          roles: { type: 'array', items: { type: 'string' } },
          quotas: { type: 'object', properties: { maxConcurrent: { type: 'integer' }, inUse: { type: 'integer' } } },
          budget: { type: 'object', properties: { dailyMaxUSD: { type: 'number' }, spentUSD: { type: 'number' } } },
        },
      },
    },
    handler: ({ session }) => whoami(session),
  },
  {
    method: 'GET',
    path: '/api/tenants',
    summary: 'List tenants (all for admins of the default tenant, else your own)',
    tag: 'tenants',
    permission: 'read',
    schema: { response: { type: 'array', items: tenantView } },
    handler: ({ session }) => tenantsList(session),
  },
  {
    method: 'POST',
    path: '/api/tenants',
    summary: 'Create tenant',
    tag: 'tenants',
    permission: 'tenant:manage',
    successStatus: 201,
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }, ...tenantSettings },
      },
      response: tenantView,
    },
    handler: ({ session, body }) => tenantsCreate(session, body.name, settingsInput(body)),
  },
  {
    method: 'PUT',
    path: '/api/tenants/{id}',
    summary: "Change a tenant's budget, quota, day time zone or sandbox requirement",
    tag: 'tenants',
    permission: 'tenant:manage',
    schema: {
      params: idParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: tenantSettings },
      response: tenantView,
    },
    handler: ({ session, params, body }) => inTenant(params.id!, () => tenantsSet(session, params.id!, settingsInput(body))),
  },
  {
    method: 'GET',
    path: '/api/tenants/{id}/members',
    summary: "List a tenant's members",
    tag: 'tenants',
    permission: 'read',
    schema: { params: idParams },
    handler: ({ session, params }) => inTenant(params.id!, () => membersList(session, params.id!)),
  },
  {
    method: 'PUT',
    path: '/api/tenants/{id}/members',
    summary: 'Upsert member role',
    tag: 'tenants',
    permission: 'members:manage',
    schema: {
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['subject', 'role'],
        properties: { subject: { type: 'string', minLength: 1, maxLength: 320 }, role: { type: 'string', enum: [...ROLES] } },
      },
    },
    handler: ({ session, params, body }) => inTenant(params.id!, () => membersSet(session, params.id!, body.subject, body.role)),
  },
];
