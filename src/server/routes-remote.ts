/**
 * Routes that make remote mode complete: enrolment (invite → code → token), the server's public
 * keys, and an execution's receipt and disclosure pack (tenant-scoped: foreign ids are 404).
 */
import { createReadStream } from 'node:fs';
import { executionDisclosure, executionReceipt, publicKeys } from '../engine/evidence.js';
import { revokeKey } from '../engine/keys.js';
import { inviteMember, ROLES, redeemEnrolment } from '../tenancy/index.js';
import type { JsonSchema, RouteDef } from './route.types.js';

const idParams: JsonSchema = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 128 } } };

export const remoteRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/api/tenants/{id}/invites',
    summary: 'Issue a one-time, expiring enrolment code for a subject and role (stored hashed)',
    tag: 'tenants',
    permission: 'members:manage',
    successStatus: 201,
    schema: {
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['subject', 'role'],
        properties: {
          subject: { type: 'string', minLength: 1, maxLength: 320 },
          role: { type: 'string', enum: [...ROLES] },
          ttlSec: { type: 'integer', minimum: 1, maximum: 30 * 86400 },
        },
      },
    },
    handler: ({ session, params, body }) => inviteMember(session, params.id!, body.subject, body.role, body.ttlSec),
  },
  {
    method: 'POST',
    path: '/api/enrol',
    summary: 'Exchange a one-time enrolment code for a token (public: the code is the credential)',
    tag: 'identity',
    permission: null,
    bodyLimit: 4096,
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['code'],
        properties: { code: { type: 'string', minLength: 1, maxLength: 128 }, ttlSec: { type: 'integer', minimum: 60, maximum: 30 * 86400 } },
      },
    },
    handler: ({ ctx, store, body }) => redeemEnrolment(ctx, store, body.code, body.ttlSec),
  },
  {
    method: 'GET',
    path: '/api/keys',
    summary:
      'The trusted receipt-signing public keys (PEM) shared by every replica, each with its status (trusted or revoked), to verify receipts and packs offline',
    tag: 'evidence',
    permission: 'read',
    schema: {},
    handler: ({ session }) => publicKeys(session),
  },
  {
    method: 'POST',
    path: '/api/keys/{id}/revoke',
    summary: 'Revoke a trusted key for every replica (platform admins only); its signatures then fail verification',
    tag: 'evidence',
    permission: 'tenant:manage',
    bodyLimit: 4096,
    schema: {
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 8, maxLength: 64, pattern: '^[0-9a-fA-F]+$' } } },
      body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } },
    },
    handler: ({ session, params, body }) => revokeKey(session, params.id!, (body as { reason?: string } | undefined)?.reason),
  },
  {
    method: 'GET',
    path: '/api/executions/{id}/receipt',
    summary: "An execution's signed receipt (sigstore bundle, DSSE in-toto statement)",
    tag: 'evidence',
    permission: 'read',
    schema: { params: idParams },
    handler: ({ session, params }) => executionReceipt(session, params.id!),
  },
  {
    method: 'GET',
    path: '/api/executions/{id}/disclosure',
    summary: "An execution's deterministic disclosure pack (zip), streamed",
    tag: 'evidence',
    permission: 'read',
    produces: 'application/zip',
    streaming: true,
    schema: { params: idParams },
    handler: async ({ session, params, raw, closed }) => {
      const pack = await executionDisclosure(session, params.id!);
      try {
        raw.writeHead(200, {
          'content-type': 'application/zip',
          'content-length': String(pack.bytes),
          'x-maestro-sha256': pack.sha256,
          'content-disposition': `attachment; filename="${params.id}.disclosure.zip"`,
        });
        const out = raw as unknown as NodeJS.WritableStream;
        const src = createReadStream(pack.path);
        await new Promise<void>((resolve, reject) => {
          src.on('error', reject);
          src.on('end', resolve);
          void closed.then(() => {
            src.destroy();
            resolve();
          });
          src.pipe(out, { end: false });
        });
        raw.end();
      } finally {
        pack.cleanup();
      }
    },
  },
];
