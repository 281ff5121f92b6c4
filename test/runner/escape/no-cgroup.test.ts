/**
 * The path of hosts without a usable cgroup, forced on any host with MAESTRO_CGROUPS=off: the default
 * policy refuses the run; "warn" runs it with rlimits (RLIMIT_AS: ENOMEM), GNU time measurement and a
 * recorded isolation warning. Never a silent downgrade.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroups } from '../../../src/runner/cgroup.js';
import { buildProbe, inSandbox, onHost, type Probe, unavailableReason } from './helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`escape: no cgroup${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let p: Probe;
  const saved = process.env.MAESTRO_CGROUPS;
  beforeAll(() => {
    process.env.MAESTRO_CGROUPS = 'off';
    expect(probeCgroups(true).host).toBeNull();
    p = buildProbe();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.MAESTRO_CGROUPS;
    else process.env.MAESTRO_CGROUPS = saved;
    probeCgroups(true);
    p?.cleanup();
  });

  it('the default policy refuses the run with ISOLATION_UNAVAILABLE and a hint', async () => {
    await expect(inSandbox(p, 'echo should-not-run')).rejects.toMatchObject({ code: 'ISOLATION_UNAVAILABLE', hint: expect.stringMatching(/cgroup/) });
  });

  it('"warn" runs with a recorded isolation warning, per-process RLIMIT_AS (ENOMEM) and GNU time figures; the host allocates', async () => {
    const r = await inSandbox(p, '/workspace/probe alloc 200; echo done', { memoryMB: 64 }, false, { onMissingCgroup: 'warn' });
    expect(r.stdout).toBe('errno ENOMEM\ndone');
    expect(r.stderr).toMatch(/^maestro: warning: isolation: no cgroup \(disabled by MAESTRO_CGROUPS=off\)/);
    expect(r.outcome.isolation).toMatchObject({ cgroup: null, controllers: [] });
    expect(r.outcome.isolation!.warnings).toHaveLength(1);
    expect(r.outcome.usage.peakRssMB).toBeGreaterThan(0);
    expect(onHost(p, ['alloc', '200'])).toBe('ok 200');
  });
});

describe.skipIf(reason !== null)(`executor: the tenant's requireSandbox decides without a cgroup${reason ? ` (skipped: ${reason})` : ''}`, () => {
  it("a sandbox-requiring tenant's task fails with ISOLATION_UNAVAILABLE; after --no-require-sandbox it runs, the warning in its log", async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { BIN, ROOT } = await import('../../helpers/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'maestro-nocg-'));
    try {
      mkdirSync(join(dir, 'ws'), { mode: 0o755 });
      writeFileSync(
        join(dir, 'm.yaml'),
        'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: nocg }\nspec:\n  region: US\n  resourceClass: small\n  workspace: ./ws\n  tasks:\n    - { id: t, uses: shell, run: "echo ran" }\n',
      );
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, USER: 'tester', MAESTRO_HOME: join(dir, 'home'), NO_COLOR: '1', MAESTRO_CGROUPS: 'off' };
      const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env });
      const refused = cli(['run', join(dir, 'm.yaml'), '--json']);
      expect(refused.status).toBe(1);
      expect(JSON.parse(refused.stdout).tasks[0].reason).toMatch(/no cgroup can hold this task's process tree/);
      expect(cli(['tenants', 'set', 'default', '--no-require-sandbox']).status).toBe(0);
      const warned = cli(['run', join(dir, 'm.yaml'), '--json']);
      expect(warned.status, warned.stderr).toBe(0);
      const id = JSON.parse(warned.stdout).id as string;
      const log = readFileSync(join(dir, 'home', 'executions', id, 'logs', 't.ndjson'), 'utf8');
      expect(log).toMatch(/maestro: warning: isolation: no cgroup/);
      expect(log).toContain('"line":"ran"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
