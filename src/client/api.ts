/**
 * One interface, two implementations: commands call `MaestroApi` and render its plain data, whether
 * the engine is embedded (local) or a remote control plane (thin client). Same objects, same output.
 */
import type { WhoAmI } from '../engine/whoami.js';
import { whoami } from '../engine/whoami.js';
import type { Member, Session, TenantSettingsInput, TenantView } from '../tenancy/index.js';
import { parseMaxConcurrent, usdToMicros } from '../tenancy/tenants.js';
import { membersList, membersSet, tenantsCreate, tenantsList, tenantsSet } from '../tenancy/index.js';
import type { ControlPlaneClient } from './http.js';

export interface MaestroApi {
  readonly mode: 'local' | 'remote';
  whoami(): Promise<WhoAmI>;
  tenantsList(): Promise<TenantView[]>;
  tenantsCreate(name: string, input: TenantSettingsInput): Promise<TenantView>;
  tenantsSet(tenant: string, input: TenantSettingsInput): Promise<TenantView>;
  membersSet(tenant: string, subject: string, role: string): Promise<Member>;
  membersList(tenant: string): Promise<Member[]>;
}

/** The embedded engine, through a session opened on first use. */
export class LocalApi implements MaestroApi {
  readonly mode = 'local' as const;
  constructor(private readonly session: () => Promise<Session>) {}
  async whoami() {
    return whoami(await this.session());
  }
  async tenantsList() {
    return tenantsList(await this.session());
  }
  async tenantsCreate(name: string, input: TenantSettingsInput) {
    return tenantsCreate(await this.session(), name, input);
  }
  async tenantsSet(tenant: string, input: TenantSettingsInput) {
    return tenantsSet(await this.session(), tenant, input);
  }
  async membersSet(tenant: string, subject: string, role: string) {
    return membersSet(await this.session(), tenant, subject, role);
  }
  async membersList(tenant: string) {
    return membersList(await this.session(), tenant);
  }
}

/** A control plane over HTTP. */
export class RemoteApi implements MaestroApi {
  readonly mode = 'remote' as const;
  constructor(private readonly client: ControlPlaneClient) {}
  whoami() {
    return this.client.json<WhoAmI>('GET', '/api/whoami');
  }
  tenantsList() {
    return this.client.json<TenantView[]>('GET', '/api/tenants');
  }
  tenantsCreate(name: string, input: TenantSettingsInput) {
    return this.client.json<TenantView>('POST', '/api/tenants', { name, ...settingsBody(input) });
  }
  tenantsSet(tenant: string, input: TenantSettingsInput) {
    return this.client.json<TenantView>('PUT', `/api/tenants/${encodeURIComponent(tenant)}`, settingsBody(input));
  }
  membersSet(tenant: string, subject: string, role: string) {
    return this.client.json<Member>('PUT', `/api/tenants/${encodeURIComponent(tenant)}/members`, { subject, role });
  }
  membersList(tenant: string) {
    return this.client.json<Member[]>('GET', `/api/tenants/${encodeURIComponent(tenant)}/members`);
  }
}

function settingsBody(input: TenantSettingsInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  // Validate here too, so a remote call fails with the same message as a local one.
  if (input.dailyBudget !== undefined) body.dailyBudgetUSD = (usdToMicros(input.dailyBudget, '--daily-budget'), input.dailyBudget.replace(/^\s*\$?|\s*$/g, ''));
  if (input.maxConcurrent !== undefined) body.maxConcurrent = parseMaxConcurrent(input.maxConcurrent);
  if (input.dayTimezone !== undefined) body.dayTimezone = input.dayTimezone;
  if (input.requireSandbox !== undefined) body.requireSandbox = input.requireSandbox;
  return body;
}
