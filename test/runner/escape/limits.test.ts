/** Resource escapes: a fork bomb is held by the pids limit, a runaway by the timeout. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCgroups } from '../../../src/runner/cgroup.js';
import { buildProbe, inSandbox, onHost, type Probe, unavailableReason } from './helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`escape: limits${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let p: Probe;
  beforeAll(() => {
    p = buildProbe();
  });
  afterAll(() => p?.cleanup());

  it('a fork bomb is contained by the pids limit (EAGAIN); the host forks past it', async () => {
    const r = await inSandbox(p, '/workspace/probe forks 500', { pids: 32 });
    const [forked, result] = r.stdout.split('\n');
    expect(result).toBe('errno EAGAIN');
    expect(Number(forked!.split(' ')[1])).toBeLessThan(32);
    expect(onHost(p, ['forks', '64'])).toBe('forked 64\nok 64');
  });

  it('a real shell fork bomb ends (pids limit + timeout kill the whole tree)', async () => {
    const t0 = Date.now();
    const r = await inSandbox(p, 'b() { b | b & }; b; sleep 60', { pids: 32, timeoutSec: 2 });
    // Either the timeout killed the tree, or the limit made the task's own shell fail to fork: never a success.
    if (r.outcome.timedOut) expect(r.outcome.reason).toMatch(/timed out after 2s/);
    else expect(r.outcome.exitCode).not.toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // Nothing of the bomb is left on the host.
    const { processesWith } = await import('../e2e-helpers.js');
    expect(processesWith('b() { b | b & }')).toEqual([]);
  });

  it('memory beyond memoryMB is refused (cgroup: OOM kill; without one, RLIMIT_AS: ENOMEM); the host allocates it', async () => {
    const cg = probeCgroups().host;
    const r = await inSandbox(p, '/workspace/probe alloc 200; echo "status=$?"', { memoryMB: 64 }, false, { onMissingCgroup: 'warn' });
    expect(r.stdout).not.toMatch(/^ok 200$/m);
    expect(r.stdout).toMatch(cg ? /status=137$/ : /^errno ENOMEM\nstatus=1$/);
    expect(onHost(p, ['alloc', '200'])).toBe('ok 200');
  });
});
