/**
 * The tenancy room: tenants, members, roles → permissions, identity tokens (JWT) and sessions.
 * @example
 *   const session = await openSession(ctx);
 *   requirePermission(session.identity, 'run');
 */
export { ROLES, PERMISSIONS, ROLE_PERMISSIONS, isRole, permissionsFor, requirePermission, type Role, type Permission } from './roles.js';
export {
  DEFAULT_TENANT,
  getTenant,
  findTenant,
  listTenants,
  tenantView,
  microsToUsd,
  usdToMicros,
  type Tenant,
  type TenantView,
  type Member,
} from './tenants.js';
export {
  openSession,
  ensureInitialized,
  authenticateToken,
  currentToken,
  isPlatformAdmin,
  type Session,
  type Identity,
  type InitResult,
} from './session.js';
export { issueToken, verifyToken, tokenPath, TOKEN_ALGORITHMS, type TokenClaims } from './tokens.js';
export {
  login,
  tenantsList,
  tenantsCreate,
  tenantsSet,
  membersSet,
  membersList,
  type LoginResult,
  type TenantSettingsInput,
} from './operations.js';
export { inviteMember, redeemEnrolment, DEFAULT_CODE_TTL_SEC, type Invitation, type Enrolment } from './enrolment.js';
