/**
 * The tenancy room: tenants, members, roles → permissions, identity tokens (JWT) and sessions.
 * @example
 *   const session = await openSession(ctx);
 *   requirePermission(session.identity, 'run');
 */

export { DEFAULT_CODE_TTL_SEC, type Enrolment, type Invitation, inviteMember, redeemEnrolment } from './enrolment.js';
export {
  type LoginResult,
  login,
  membersList,
  membersSet,
  type TenantSettingsInput,
  tenantsCreate,
  tenantsList,
  tenantsSet,
} from './operations.js';
export { isRole, PERMISSIONS, type Permission, permissionsFor, ROLE_PERMISSIONS, ROLES, type Role, requirePermission } from './roles.js';
export {
  authenticateToken,
  currentToken,
  ensureInitialized,
  type Identity,
  type InitResult,
  isPlatformAdmin,
  openSession,
  type Session,
} from './session.js';
export {
  DEFAULT_TENANT,
  findTenant,
  getTenant,
  listTenants,
  type Member,
  microsToUsd,
  type Tenant,
  type TenantView,
  tenantView,
  usdToMicros,
} from './tenants.js';
export { issueToken, TOKEN_ALGORITHMS, type TokenClaims, tokenPath, verifyToken } from './tokens.js';
