/**
 * One interface, two implementations: commands call `MaestroApi` and render its plain data, whether
 * the engine is embedded (local) or a remote control plane (thin client). Same objects, same output.
 */

import { NotFoundError, UsageError } from '../core/errors.js';
import type { PublicKeyView } from '../engine/evidence.js';
import type { ExecutionStatusView, PlanRequest } from '../engine/index.js';
import type { WhoAmI } from '../engine/whoami.js';
import { whoami } from '../engine/whoami.js';
import type { PackDetail, PackSummary } from '../policy/packs/index.js';
import type { CancelResult, ExecutionSummary, LogLine } from '../runner/index.js';
import type { Member, Session, TenantSettingsInput, TenantView } from '../tenancy/index.js';
import { type Invitation, inviteMember, membersList, membersSet, tenantsCreate, tenantsList, tenantsSet } from '../tenancy/index.js';
import { parseMaxConcurrent, usdToMicros } from '../tenancy/tenants.js';
import type { ControlPlaneClient } from './http.js';

export type PlanResult = Awaited<ReturnType<typeof import('../engine/index.js').planWithPolicy>>;

export interface RunRequest {
  manifestPath: string;
  sandbox: 'bwrap' | 'none';
  detach: boolean;
  /** Wait mode: over the concurrency quota, wait queued for a slot instead of being denied. */
  queue?: boolean;
  region?: string;
  /** Live task progress (local mode only). */
  progress?: (line: string) => void;
}

export interface RunOutcome {
  view: ExecutionStatusView;
  exitCode: number;
  warnings: string[];
}

export interface MaestroApi {
  readonly mode: 'local' | 'remote';
  whoami(): Promise<WhoAmI>;
  tenantsList(): Promise<TenantView[]>;
  tenantsCreate(name: string, input: TenantSettingsInput): Promise<TenantView>;
  tenantsSet(tenant: string, input: TenantSettingsInput): Promise<TenantView>;
  membersSet(tenant: string, subject: string, role: string): Promise<Member>;
  membersList(tenant: string): Promise<Member[]>;
  plan(req: PlanRequest & { manifestPath: string }): Promise<PlanResult>;
  run(req: RunRequest): Promise<RunOutcome>;
  status(id: string | undefined, explain: boolean): Promise<ExecutionStatusView>;
  executions(): Promise<ExecutionSummary[]>;
  logs(id: string, opts: { task?: string; follow: boolean }, emit: (l: LogLine) => void): Promise<void>;
  cancel(target: { id?: string; all?: boolean }): Promise<CancelResult>;
  packsList(): Promise<PackSummary[]>;
  packsShow(id: string): Promise<PackDetail>;
  /** A one-time enrolment code for a subject and role (see tenancy/enrolment.ts). */
  membersInvite(tenant: string, subject: string, role: string, ttlSec?: number): Promise<Invitation>;
  /** The engine's receipt-signing public keys. */
  publicKeys(): Promise<PublicKeyView[]>;
  /** Writes an execution's disclosure pack to `output` (atomically). */
  disclosure(id: string, output: string): Promise<FetchedPack>;
}

/** A pack fetched (remote) or exported (local) to a file. */
export interface FetchedPack {
  executionId: string;
  path: string;
  bytes: number;
  sha256: string;
  remote: string | null;
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
  async plan(req: PlanRequest & { manifestPath: string }) {
    return (await import('../engine/index.js')).planWithPolicy(await this.session(), req);
  }
  async run(req: RunRequest): Promise<RunOutcome> {
    const session = await this.session();
    const [engine, runner, render] = await Promise.all([import('../engine/index.js'), import('../runner/index.js'), import('../cli/render-run.js')]);
    await engine.installRunHooks(session, req.region === undefined ? {} : { region: req.region });
    const r = await runner.runManifest(session, {
      manifestPath: req.manifestPath,
      sandbox: req.sandbox,
      detach: req.detach,
      queue: req.queue === true,
      // Detached: the local worker pool of this state home runs it (started on demand).
      onQueued: () => void runner.ensureLocalWorker(session.ctx, session.store.db),
      ...(req.progress ? { progress: (e: Parameters<typeof render.renderTaskEvent>[0]) => req.progress!(render.renderTaskEvent(e)) } : {}),
    });
    return { view: await engine.executionStatusView(session, { id: r.record.id }), exitCode: r.exitCode, warnings: r.warnings };
  }
  async status(id: string | undefined, explain: boolean) {
    return (await import('../engine/index.js')).executionStatusView(await this.session(), { ...(id ? { id } : {}), explain });
  }
  async executions() {
    return (await import('../runner/index.js')).listAllExecutions(await this.session());
  }
  async logs(id: string, opts: { task?: string; follow: boolean }, emit: (l: LogLine) => void) {
    await (await import('../runner/index.js')).streamLogs(await this.session(), id, opts, emit);
  }
  async cancel(target: { id?: string; all?: boolean }) {
    return (await import('../runner/index.js')).cancelExecutions(await this.session(), target);
  }
  async packsList() {
    return (await import('../policy/packs/index.js')).listPacks(await this.session());
  }
  async packsShow(id: string) {
    return (await import('../policy/packs/index.js')).showPack(await this.session(), id);
  }
  async membersInvite(tenant: string, subject: string, role: string, ttlSec?: number) {
    return inviteMember(await this.session(), tenant, subject, role, ttlSec);
  }
  async publicKeys() {
    return (await import('../engine/evidence.js')).publicKeys(await this.session());
  }
  async disclosure(id: string, output: string): Promise<FetchedPack> {
    const r = await (await import('../engine/index.js')).exportDisclosure(await this.session(), { executionId: id, output });
    return { executionId: r.executionId, path: r.path, bytes: r.bytes, sha256: r.sha256, remote: null };
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
  async membersInvite(tenant: string, subject: string, role: string, ttlSec?: number) {
    const inv = await this.client.json<Invitation>('POST', `/api/tenants/${encodeURIComponent(tenant)}/invites`, {
      subject,
      role,
      ...(ttlSec ? { ttlSec } : {}),
    });
    return { ...inv, login: `maestro login --remote ${this.client.baseUrl} --code ${inv.code}` };
  }
  publicKeys() {
    return this.client.json<PublicKeyView[]>('GET', '/api/keys');
  }
  async disclosure(id: string, output: string): Promise<FetchedPack> {
    const { createHash } = await import('node:crypto');
    const { createWriteStream, renameSync, rmSync } = await import('node:fs');
    const body = await this.client.stream(`/api/executions/${encodeURIComponent(id)}/disclosure`);
    const tmp = `${output}.${process.pid}.part`;
    const hash = createHash('sha256');
    let bytes = 0;
    const out = createWriteStream(tmp, { mode: 0o644 });
    try {
      for await (const chunk of body) {
        hash.update(chunk);
        bytes += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      renameSync(tmp, output);
    } catch (err) {
      out.destroy();
      rmSync(tmp, { force: true });
      throw err;
    }
    return { executionId: id, path: output, bytes, sha256: hash.digest('hex'), remote: this.client.baseUrl };
  }
  async plan(req: PlanRequest & { manifestPath: string }) {
    const body = { ...(await manifestUpload(req.manifestPath)), explain: req.explain === true, ...(req.region ? { region: req.region } : {}) };
    if (req.prices !== undefined) throw new UsageError('PRICES_REMOTE', '--prices applies to local plans only; the control plane uses its own price table');
    return this.client.json<PlanResult>('POST', '/api/plan', body);
  }
  async run(req: RunRequest): Promise<RunOutcome> {
    const body = {
      ...(await manifestUpload(req.manifestPath, true)),
      sandbox: req.sandbox,
      ...(req.region ? { region: req.region } : {}),
      ...(req.queue ? { queue: true } : {}),
    };
    const published = await this.client.json<ExecutionStatusView & { warnings: string[] }>('POST', '/api/executions', body);
    const { exitCodeFor } = await import('../runner/index.js');
    let view = await this.status(published.id, false);
    // Without --detach, wait for the end as local mode does (the control plane's worker runs it).
    while (!req.detach && (view.status === 'queued' || view.status === 'running')) {
      await new Promise((r) => setTimeout(r, 250));
      view = await this.status(published.id, false);
    }
    return { view, exitCode: exitCodeFor(view.status, req.detach), warnings: published.warnings ?? [] };
  }
  status(id: string | undefined, explain: boolean) {
    return this.client.json<ExecutionStatusView>('GET', `/api/executions/${encodeURIComponent(id ?? 'latest')}${explain ? '?explain=1' : ''}`);
  }
  executions() {
    return this.client.json<ExecutionSummary[]>('GET', '/api/executions');
  }
  async logs(id: string, opts: { task?: string; follow: boolean }, emit: (l: LogLine) => void) {
    const q = new URLSearchParams({ ...(opts.task ? { task: opts.task } : {}), ...(opts.follow ? { follow: '1' } : {}) }).toString();
    let buf = '';
    for await (const chunk of await this.client.stream(`/api/executions/${encodeURIComponent(id)}/logs${q ? `?${q}` : ''}`)) {
      buf += chunk.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() !== '') emit(JSON.parse(line) as LogLine);
      }
    }
  }
  cancel(target: { id?: string; all?: boolean }) {
    if (target.all) return this.client.json<CancelResult>('POST', '/api/executions/cancel');
    return this.client.json<CancelResult>('POST', `/api/executions/${encodeURIComponent(target.id ?? '')}/cancel`);
  }
  packsList() {
    return this.client.json<PackSummary[]>('GET', '/api/policy-packs');
  }
  packsShow(id: string) {
    return this.client.json<PackDetail>('GET', `/api/policy-packs/${encodeURIComponent(id)}`);
  }
}

/** The most a thin client uploads with a run: the manifest's workspace files (regular files only). */
export const MAX_WORKSPACE_UPLOAD = 32 * 1024 * 1024;

export interface ManifestUpload {
  manifest: string;
  name: string;
  /** The client's path of the manifest, shown in plans and records. */
  path: string;
  workspace?: { root: string; files: Array<{ path: string; mode: number; data: string }> };
}

/** Read a manifest (and its workspace, for runs) to send it to a control plane. */
async function manifestUpload(path: string, withWorkspace = false): Promise<ManifestUpload> {
  const { readFile } = await import('node:fs/promises');
  const { basename, resolve } = await import('node:path');
  let manifest: string;
  try {
    manifest = await readFile(path, 'utf8');
  } catch (cause) {
    throw new NotFoundError('MANIFEST_NOT_FOUND', `cannot read manifest ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, {
      cause,
    });
  }
  const upload: ManifestUpload = { manifest, name: basename(path), path: resolve(path) };
  if (withWorkspace) {
    const ws = await workspaceFiles(resolve(path), manifest);
    if (ws) upload.workspace = ws;
  }
  return upload;
}

/** The manifest's workspace folder as base64 files (a missing or invalid one is left to the server's validation). */
async function workspaceFiles(manifestPath: string, source: string): Promise<ManifestUpload['workspace']> {
  const [{ parse }, fs, path] = await Promise.all([import('yaml'), import('node:fs/promises'), import('node:path')]);
  let root: unknown;
  try {
    root = (parse(source) as { spec?: { workspace?: unknown } } | null)?.spec?.workspace;
  } catch {
    return undefined;
  }
  if (typeof root !== 'string' || root === '') return undefined;
  const base = path.resolve(path.dirname(manifestPath), root);
  const files: Array<{ path: string; mode: number; data: string }> = [];
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const data = await fs.readFile(full);
        total += data.length;
        if (total > MAX_WORKSPACE_UPLOAD) {
          throw new UsageError(
            'WORKSPACE_TOO_LARGE',
            `workspace ${base} is larger than ${MAX_WORKSPACE_UPLOAD / 1024 / 1024} MiB, the most a remote run uploads`,
            {
              hint: 'run it locally, or keep large inputs on the control plane host',
            },
          );
        }
        files.push({ path: path.relative(base, full).split(path.sep).join('/'), mode: (await fs.stat(full)).mode & 0o777, data: data.toString('base64') });
      }
    }
  };
  try {
    await walk(base);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return undefined;
  }
  return { root, files };
}

function settingsBody(input: TenantSettingsInput): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  // Validate here too, so a remote call fails with the same message as a local one.
  if (input.dailyBudget !== undefined) {
    usdToMicros(input.dailyBudget, '--daily-budget'); // throws the local command's usage error on a bad amount
    body.dailyBudgetUSD = input.dailyBudget.replace(/^\s*\$?|\s*$/g, '');
  }
  if (input.maxConcurrent !== undefined) body.maxConcurrent = parseMaxConcurrent(input.maxConcurrent);
  if (input.dayTimezone !== undefined) body.dayTimezone = input.dayTimezone;
  if (input.requireSandbox !== undefined) body.requireSandbox = input.requireSandbox;
  return body;
}
