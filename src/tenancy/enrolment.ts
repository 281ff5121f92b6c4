/**
 * Remote enrolment: an admin issues a one-time, expiring code for a subject and role
 * (`maestro tenants members invite`); the user exchanges it at the server for a token
 * (`maestro login --remote URL --code X`). Only the code's SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Context, isoNow } from '../core/context.js';
import { AuthError, UsageError } from '../core/errors.js';
import { claimEnrolment, findEnrolment, insertEnrolment, type Store } from '../store/index.js';
import { manageableTenant } from './operations.js';
import { isRole, ROLES } from './roles.js';
import type { Session } from './session.js';
import { getTenant, setMember } from './tenants.js';
import { issueToken } from './tokens.js';

export const DEFAULT_CODE_TTL_SEC = 24 * 3600;
export const MAX_CODE_TTL_SEC = 30 * 24 * 3600;
/** Code format: `mce_` + 32 base64url characters (192 random bits). */
const CODE_RE = /^mce_[A-Za-z0-9_-]{32}$/;

export interface Invitation {
  code: string;
  tenant: string;
  subject: string;
  role: string;
  expiresAt: string;
  /** How the user redeems it. */
  login: string;
}

export interface Enrolment {
  token: string;
  subject: string;
  tenant: string;
  role: string;
  expiresAt: string;
}

const hashCode = (code: string): string => createHash('sha256').update(code).digest('hex');

/**
 * Issue a one-time code for `subject` to join `tenant` as `role` (needs members:manage there).
 * @example inviteMember(session, 'acme', 'alice@acme.io', 'operator', 3600).code // 'mce_…'
 */
export function inviteMember(
  session: Session,
  tenantRef: string,
  subject: string,
  role: string,
  ttlSec = DEFAULT_CODE_TTL_SEC,
  serverUrl = '<url>',
): Invitation {
  const tenant = manageableTenant(session, tenantRef, 'members:manage');
  if (!isRole(role)) throw new UsageError('BAD_ROLE', `role "${role}" is not one of ${ROLES.join(', ')}`);
  if (subject.trim() === '' || subject.length > 320) throw new UsageError('BAD_SUBJECT', 'the subject must be 1-320 characters');
  if (!Number.isInteger(ttlSec) || ttlSec <= 0 || ttlSec > MAX_CODE_TTL_SEC)
    throw new UsageError('BAD_TTL', `--ttl must be between 1 second and ${MAX_CODE_TTL_SEC / 86400} days`);
  const code = `mce_${randomBytes(24).toString('base64url')}`;
  const now = session.ctx.clock.now();
  const expiresAt = new Date(now + ttlSec * 1000).toISOString();
  const ok = insertEnrolment(session.store.db, {
    code_hash: hashCode(code),
    tenant_id: tenant.id,
    subject,
    role,
    created_by: session.identity.subject,
    created_at: new Date(now).toISOString(),
    expires_at: expiresAt,
  });
  if (!ok) throw new UsageError('TOO_MANY_CODES', `tenant "${tenant.name}" has too many open enrolment codes`, { hint: 'let some expire or be used first' });
  return { code, tenant: tenant.name, subject, role, expiresAt, login: `maestro login --remote ${serverUrl} --code ${code}` };
}

/**
 * Exchange a code for a token (once): the subject becomes a member with the invited role.
 * Unknown, used and expired codes are refused with the same 401 code, saying which.
 */
export async function redeemEnrolment(ctx: Context, store: Store, code: string, ttlSec?: number): Promise<Enrolment> {
  if (!CODE_RE.test(code))
    throw new AuthError('ENROLMENT_CODE_INVALID', 'that is not an enrolment code (they look like mce_ and 32 characters)', {
      hint: 'ask an admin for one: maestro tenants members invite <tenant> <subject> <role>',
    });
  const hash = hashCode(code);
  const now = isoNow(ctx);
  const row = store.db
    .transaction(() => {
      const claimed = claimEnrolment(store.db, hash, now);
      if (claimed) setMember(ctx, store, getTenant(store, claimed.tenant_id), claimed.subject, claimed.role);
      return claimed;
    })
    .immediate();
  if (!row) {
    const seen = findEnrolment(store.db, hash);
    const why = !seen ? 'is not known here' : seen.used_at ? 'has already been used' : 'has expired';
    throw new AuthError('ENROLMENT_CODE_INVALID', `the enrolment code ${why}`, {
      hint: 'ask an admin for a new one: maestro tenants members invite <tenant> <subject> <role>',
    });
  }
  const tenant = getTenant(store, row.tenant_id);
  const { token, expiresAt } = await issueToken(ctx, { subject: row.subject, tenantId: tenant.id, ...(ttlSec ? { ttlSec } : {}) });
  return { token, subject: row.subject, tenant: tenant.name, role: row.role, expiresAt };
}
