import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { maestro, ROOT, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';

const HELLO = join(ROOT, 'fixtures', 'manifests', 'hello.yaml');
const t = tempHome();
let srv: Served;
let admin: string;
let other: string;
const cli = (args: string[], env: Record<string, string> = {}) => maestro(t.home, args, { MAESTRO_TOKEN: admin, ...env });
const remote = (args: string[], env: Record<string, string> = {}) => cli([...args, '--remote', srv.url], env);

/** Drop what legitimately differs between two evaluations (timings). */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        // Host readings at plan time (run-queue contention, load average) differ between two plans.
        .filter(
          ([k, x]) =>
            !/(Ms|_ms)$/.test(k) &&
            k !== 'createdAt' &&
            k !== 'contentionNow' &&
            k !== 'load1' &&
            !(k === 'id' && typeof x === 'string' && x.startsWith('pd_')),
        )
        .map(([k, x]) => [k, normalize(x)]),
    );
  }
  return v;
}

beforeAll(async () => {
  maestro(t.home, ['init']);
  admin = readFileSync(join(t.home, 'token'), 'utf8').trim();
  expect(maestro(t.home, ['tenants', 'create', 'other'], { MAESTRO_TOKEN: admin }).code).toBe(0);
  expect(maestro(t.home, ['tenants', 'members', 'set', 'other', 'oz@other.io', 'admin'], { MAESTRO_TOKEN: admin }).code).toBe(0);
  other = maestro(t.home, ['login', '--tenant', 'other', '--subject', 'oz@other.io', '--print']).stdout.trim();
  srv = await serve(t.home);
});
afterAll(async () => {
  await srv?.stop();
  t.cleanup();
});

describe('control plane: plans and executions', () => {
  it('POST /api/plan through the thin client equals local plan', () => {
    const local = cli(['plan', HELLO, '--json']);
    const rem = remote(['plan', HELLO, '--json']);
    expect(rem.code).toBe(0);
    expect(normalize(rem.json())).toEqual(normalize(local.json()));
    expect(rem.json().estimatedCostUSD).toBeGreaterThan(0);
  });

  it('runs remotely; status, logs and packs read the same through both modes', () => {
    const r = remote(['run', HELLO, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const run = r.json();
    expect(run.status).toBe('succeeded');
    expect(run.tasks.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([
      ['greet', 'succeeded'],
      ['report', 'succeeded'],
    ]);
    for (const args of [
      ['status', run.id, '--json'],
      ['status', run.id],
      ['status', '--json'],
      ['logs', run.id],
      ['logs', run.id, '--json', '--task', 'greet'],
      ['policy', 'packs', 'list', '--json'],
      ['policy', 'packs', 'show', 'budget', '--json'],
    ]) {
      const a = cli(args);
      const b = remote(args);
      expect(b.code, args.join(' ')).toBe(a.code);
      expect(b.stdout, args.join(' ')).toBe(a.stdout);
    }
    expect(cli(['logs', run.id]).stdout).toContain('hello');
    const explained = remote(['status', run.id, '--explain', '--json']).json();
    expect(explained.policy.decisions.length).toBeGreaterThan(0);
    expect(explained.cost.actualUSD).toBeGreaterThan(0);
  });

  it('a remote run denied by policy exits 3 like a local one', () => {
    const r = remote(['run', HELLO, '--sandbox', 'none']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('denied:');
  });

  it('follows logs of a detached run until it ends, and cancels', async () => {
    const manifest = join(t.home, '..', 'slow.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      manifest,
      'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: slow }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - { id: tick, uses: shell, run: "for i in 1 2 3; do echo tick $i; sleep 0.3; done" }\n    - { id: wait, uses: shell, run: "sleep 30" }\n',
    );
    const d = remote(['run', manifest, '--detach', '--json']);
    expect(d.code, d.stderr).toBe(0);
    const id = d.json().id;
    // Follow the logs through the control plane while the run goes on; cancelling ends the stream.
    const { spawn } = await import('node:child_process');
    const follower = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'logs', id, '--follow', '--json', '--remote', srv.url], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MAESTRO_HOME: t.home, MAESTRO_TOKEN: admin, NO_COLOR: '1' },
    });
    let out = '';
    follower.stdout.on('data', (c) => (out += c));
    const ended = new Promise<number | null>((r) => follower.on('exit', (code) => r(code)));
    const deadline = Date.now() + 20_000;
    while (!out.includes('tick 3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('"line":"tick 3"');
    const c = remote(['cancel', id, '--json']);
    expect(c.code).toBe(0);
    expect(c.json().cancelled).toEqual([id]);
    expect(await ended).toBe(0);
    expect(remote(['status', id, '--json']).json().status).toBe('cancelled');
  });

  it('cross-tenant: another tenant cannot see, follow or cancel the execution', () => {
    const id = cli(['status', '--json']).json().id;
    for (const args of [
      ['status', id],
      ['logs', id],
      ['cancel', id],
    ]) {
      const r = remote(args, { MAESTRO_TOKEN: other });
      expect(r.code, args.join(' ')).toBe(5);
    }
  });
});

describe('alert rules', () => {
  it('every metric the alert rules name is exported by /metrics', async () => {
    const doc = parse(readFileSync(join(ROOT, 'ops', 'prometheus', 'alerts.yml'), 'utf8'));
    const exprs: string[] = doc.groups.flatMap((g: { rules: Array<{ expr: string }> }) => g.rules.map((r) => r.expr));
    expect(exprs.length).toBe(3);
    const names = new Set(exprs.flatMap((e) => e.match(/\bmc_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const text = await (await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } })).text();
    for (const n of names) expect(text, n).toContain(`# TYPE ${n} `);
    for (const n of [
      'mc_cost_estimate_usd',
      'mc_tenant_denies_total',
      'mc_policy_eval_ms',
      'mc_executions',
      'mc_publish_to_start_seconds',
      'mc_http_request_duration_seconds',
      'mc_build_info',
      'process_cpu_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${n} `);
    }
    expect(text).toMatch(/mc_tenant_denies_total\{tenant="default",pack="sandbox-required"\} [1-9]/);
    expect(text).toMatch(/mc_executions\{tenant="default",state="succeeded"\} [1-9]/);
  });
});
