/**
 * Roles → permissions: the one table every command and endpoint checks through `requirePermission`.
 * Roles are cumulative: viewer ⊂ composer ⊂ operator ⊂ admin.
 */
import { AuthError } from '../core/errors.js';

export const ROLES = ['admin', 'operator', 'composer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = ['read', 'validate', 'plan', 'run', 'cancel', 'tenant:manage', 'members:manage', 'policy:manage', 'metrics'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = ['read'];
const COMPOSER: readonly Permission[] = [...VIEWER, 'validate', 'plan'];
const OPERATOR: readonly Permission[] = [...COMPOSER, 'run', 'cancel'];
// 'metrics': read GET /metrics, which spans every tenant, so the endpoint also requires the default tenant.
const ADMIN: readonly Permission[] = [...OPERATOR, 'tenant:manage', 'members:manage', 'policy:manage', 'metrics'];

/** The permission map (also the data the rbac policy pack reads). */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: VIEWER,
  composer: COMPOSER,
  operator: OPERATOR,
  admin: ADMIN,
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function permissionsFor(role: Role): Permission[] {
  return [...ROLE_PERMISSIONS[role]];
}

/** The least role that grants a permission (for messages). */
export function leastRoleFor(permission: Permission): Role {
  return (['viewer', 'composer', 'operator', 'admin'] as const).find((r) => ROLE_PERMISSIONS[r].includes(permission)) ?? 'admin';
}

export interface Principal {
  subject: string;
  tenantName: string;
  role: Role;
  permissions: readonly Permission[];
}

/**
 * Throw an AuthError (exit 4) unless the principal holds the permission.
 * @example
 *   requirePermission(session.identity, 'run');
 */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (principal.permissions.includes(permission)) return;
  const need = leastRoleFor(permission);
  throw new AuthError(
    'PERMISSION_DENIED',
    `${principal.subject} is ${principal.role} in tenant "${principal.tenantName}"; "${permission}" needs the ${need} role or higher`,
    { hint: `an admin can grant it: maestro tenants members set ${principal.tenantName} ${principal.subject} ${need}` },
  );
}
