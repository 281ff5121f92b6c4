/** `maestro run` end to end, against the real bwrap: DAG, --json shape, exit codes, files, limits. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`maestro run${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maestro-run-'));
  });
  afterAll(() => h.cleanup());

  it('runs a DAG in a sandbox and prints {id, status, tasks} with usage and audited writes', () => {
    const m = writeManifest(dir, 'ok-flow', [
      {
        id: 'prepare',
        run: 'cat /workspace/input.txt; echo "$GREETING" > /out/greeting.txt; echo scratch > /tmp/s; echo warn >&2',
        env: { GREETING: 'hello' },
      },
      { id: 'report', run: 'id -u; test ! -e /out/greeting.txt && echo isolated-out', needs: ['prepare'] },
    ]);
    const r = maestro(h.home, ['run', m, '--json']);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const rec = r.json();
    expect(rec.id).toMatch(/^ex_[0-9a-z]{26}$/);
    expect(rec.status).toBe('succeeded');
    expect(rec.sandbox).toBe('bwrap');
    expect(rec.apparmor).toBe(existsSync('/sys/module/apparmor/parameters/enabled') ? expect.any(String) : 'unavailable');
    expect(rec.tasks.map((t: { id: unknown; status: unknown; exitCode: unknown }) => [t.id, t.status, t.exitCode])).toEqual([
      ['prepare', 'succeeded', 0],
      ['report', 'succeeded', 0],
    ]);
    const prep = rec.tasks[0];
    expect(prep.usage).toEqual({ cpuSec: expect.any(Number), peakRssMB: expect.any(Number), wallSec: expect.any(Number), bytesWritten: 6 + 8 });
    expect(prep.writes).toEqual([
      { path: '/tmp/s', size: 8, allocated: 4096, sha256: createHash('sha256').update('scratch\n').digest('hex') },
      { path: '/out/greeting.txt', size: 6, allocated: expect.any(Number), sha256: createHash('sha256').update('hello\n').digest('hex') },
    ]);
    expect(Date.parse(rec.publishedAt)).toBeLessThanOrEqual(Date.parse(rec.startedAt));
    expect(Date.parse(rec.startedAt)).toBeLessThanOrEqual(Date.parse(rec.finishedAt));

    const exDir = join(h.home, 'executions', rec.id);
    expect(readFileSync(join(exDir, 'manifest.yaml'), 'utf8')).toBe(readFileSync(m, 'utf8'));
    expect(JSON.parse(readFileSync(join(exDir, 'execution.json'), 'utf8')).status).toBe('succeeded');
    expect(readFileSync(join(exDir, 'out', 'prepare', 'greeting.txt'), 'utf8')).toBe('hello\n');
    const logLines = readFileSync(join(exDir, 'logs', 'prepare.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(logLines.map((l) => [l.stream, l.line])).toEqual(
      expect.arrayContaining([
        ['stdout', 'alpha'],
        ['stdout', 'beta'],
        ['stderr', 'warn'],
      ]),
    );
    expect(logLines.every((l) => !Number.isNaN(Date.parse(l.ts)))).toBe(true);
    const report = readFileSync(join(exDir, 'logs', 'report.ndjson'), 'utf8');
    expect(report).toContain('"line":"65534"');
    expect(report).toContain('isolated-out');
  });

  it('a failed task skips its dependents, lets independent ones finish, and exits 1', () => {
    const m = writeManifest(dir, 'bad-flow', [
      { id: 'a', run: 'echo failing; exit 3' },
      { id: 'b', run: 'echo never', needs: ['a'] },
      { id: 'c', run: 'echo never', needs: ['b'] },
      { id: 'x', run: 'echo independent' },
    ]);
    const r = maestro(h.home, ['run', m, '--json']);
    expect(r.code).toBe(1);
    const rec = r.json();
    expect(rec.status).toBe('failed');
    expect(rec.reason).toBe('task a failed');
    expect(Object.fromEntries(rec.tasks.map((t: { id: unknown; status: unknown }) => [t.id, t.status]))).toEqual({
      a: 'failed',
      b: 'skipped',
      c: 'skipped',
      x: 'succeeded',
    });
    expect(rec.tasks[0].exitCode).toBe(3);
    expect(rec.tasks[0].reason).toBe('exited with status 3');
  });

  it('timeoutSec kills the whole sandbox tree', () => {
    const m = writeManifest(dir, 'slow-flow', [{ id: 'slow', run: 'sleep 60 & sleep 60', timeoutSec: 1 }]);
    const t0 = Date.now();
    const r = maestro(h.home, ['run', m]);
    expect(r.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.stdout).toMatch(/slow\s+failed/);
    expect(r.stdout).toContain('timed out after 1s');
  });

  it('--sandbox none is denied while the tenant requires the sandbox (sandbox-required pack)', () => {
    const m = writeManifest(dir, 'plain-denied', [{ id: 'p', run: 'true' }]);
    const r = maestro(h.home, ['run', m, '--sandbox', 'none']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('denied:');
    expect(r.stderr).toMatch(/sandbox/i);
  });

  it('--sandbox none runs unsandboxed and records sandbox: none', () => {
    expect(maestro(h.home, ['tenants', 'set', 'default', '--no-require-sandbox']).code).toBe(0);
    const m = writeManifest(dir, 'plain-flow', [{ id: 'p', run: 'echo hi > "$MAESTRO_OUT/x"' }]);
    const r = maestro(h.home, ['run', m, '--sandbox', 'none', '--json']);
    expect(maestro(h.home, ['tenants', 'set', 'default', '--require-sandbox']).code).toBe(0);
    expect(r.code).toBe(0);
    expect(r.json().sandbox).toBe('none');
    expect(r.json().tasks[0].writes).toEqual([
      { path: '/out/x', size: 3, allocated: expect.any(Number), sha256: createHash('sha256').update('hi\n').digest('hex') },
    ]);
  });

  it('refuses to run without bwrap, naming the install command', () => {
    const m = writeManifest(dir, 'nobwrap-flow', [{ id: 'p', run: 'true' }]);
    const r = maestro(h.home, ['run', m], { PATH: '/nonexistent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bubblewrap (bwrap) is not installed');
    expect(r.stderr).toContain('apt-get install -y bubblewrap');
  });

  it('an invalid manifest is a usage error (exit 2) and a missing one not found (exit 5)', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: maestro/v1\nkind: Workflow\n');
    expect(maestro(h.home, ['run', bad]).code).toBe(2);
    expect(maestro(h.home, ['run', join(dir, 'missing.yaml')]).code).toBe(5);
  });
});
