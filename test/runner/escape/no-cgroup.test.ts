/**
 * The path of hosts without a usable cgroup, forced on any host with MAESTRO_CGROUPS=off: the default
 * policy refuses the run; "warn" runs it with rlimits (RLIMIT_AS: ENOMEM), GNU time measurement and a
 * recorded isolation warning. Never a silent downgrade.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroups } from '../../../src/runner/cgroup.js';
import { buildProbe, inSandbox, onHost, unavailableReason, type Probe } from './helpers.js';

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
