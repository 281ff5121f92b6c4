/**
 * The data document the packs read at data.maestro.config.<pack>: each pack's defaults (pack.json
 * "data"), the rbac map generated from the engine's ROLE_PERMISSIONS (one source for the CLI and the
 * pack), and the tenant's own per-pack data set with `policy packs enable --config`.
 */
import { ROLE_PERMISSIONS } from '../../tenancy/index.js';
import type { LoadedPack } from './registry.js';

/** Actions whose permission has another name. */
export const ACTION_PERMISSIONS: Readonly<Record<string, string>> = { status: 'read', logs: 'read', show: 'read', explain: 'read' };

/** data.maestro.config.rbac, from src/tenancy/roles.ts. */
export function rbacData(): Record<string, unknown> {
  const rolePermissions = Object.fromEntries(Object.entries(ROLE_PERMISSIONS).map(([role, perms]) => [role, [...perms]]));
  return { rolePermissions, actionPermissions: { ...ACTION_PERMISSIONS } };
}

/**
 * The data document for a set of packs and a tenant's configs.
 * @example packData(loaded).maestro.config.rbac.rolePermissions.viewer // ['read']
 */
export function packData(packs: readonly Pick<LoadedPack, 'pack' | 'config'>[]): { maestro: { config: Record<string, unknown> } } {
  const config: Record<string, unknown> = { rbac: rbacData() };
  for (const p of packs) {
    const defaults = p.pack.meta.data ?? {};
    const tenant = p.config ?? {};
    if (Object.keys(defaults).length === 0 && Object.keys(tenant).length === 0) continue;
    config[p.pack.meta.id] = { ...(config[p.pack.meta.id] as object | undefined), ...defaults, ...tenant };
  }
  return { maestro: { config } };
}
