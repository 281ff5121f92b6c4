import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/core/errors.js';
import { PERMISSIONS, type Permission, permissionsFor, ROLES, type Role, requirePermission } from '../../src/tenancy/roles.js';

// The RBAC matrix from the issue: admin manages; operator runs and cancels; composer plans and validates; viewer reads.
const MATRIX: Record<Role, Permission[]> = {
  viewer: ['read'],
  composer: ['read', 'validate', 'plan'],
  operator: ['read', 'validate', 'plan', 'run', 'cancel'],
  admin: ['read', 'validate', 'plan', 'run', 'cancel', 'tenant:manage', 'members:manage', 'policy:manage', 'metrics'],
};

describe('RBAC matrix', () => {
  for (const role of ROLES) {
    for (const perm of PERMISSIONS) {
      const allowed = MATRIX[role].includes(perm);
      it(`${role} ${allowed ? 'may' : 'may not'} ${perm}`, () => {
        const principal = { subject: 's@x', tenantName: 'acme', role, permissions: permissionsFor(role) };
        if (allowed) expect(() => requirePermission(principal, perm)).not.toThrow();
        else {
          let err: unknown;
          try {
            requirePermission(principal, perm);
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(AuthError);
          expect((err as AuthError).exitCode).toBe(4);
          expect((err as AuthError).message).toContain(`"${perm}" needs the`);
        }
      });
    }
  }
});
