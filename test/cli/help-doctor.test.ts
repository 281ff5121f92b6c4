/** help, -h, did-you-mean, missing arguments, and `maestro doctor [--json]`, through the real CLI. */
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closest, describeUsageError } from '../../src/cli/usage.js';
import { maestro, tempHome } from '../helpers/cli.js';

describe('help and usage errors', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);

  it('maestro help, help <cmd>, <cmd> -h and <cmd> --help', () => {
    const top = maestro(home, ['help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/COMMANDS|TOPICS/);
    const h = maestro(home, ['help', 'run']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/USAGE\s+\$ maestro run/);
    expect(maestro(home, ['run', '-h']).stdout).toBe(h.stdout);
    expect(maestro(home, ['run', '--help']).stdout).toBe(h.stdout);
    const nested = maestro(home, ['help', 'tenants', 'members', 'set']);
    expect(nested.code).toBe(0);
    expect(nested.stdout).toMatch(/\$ maestro tenants members set TENANT SUBJECT ROLE/);
    expect(existsSync(home)).toBe(false); // help creates no state home
  });

  it('a mistyped command suggests the nearest one and keeps the arguments', () => {
    const r = maestro(home, ['rnu', 'fixtures/manifests/hello.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"rnu" is not a maestro command/);
    expect(r.stderr).toMatch(/did you mean: maestro run fixtures\/manifests\/hello\.yaml\?/);
    const t = maestro(home, ['polcy', 'tset', 'p/']);
    expect(t.stderr).toMatch(/did you mean: maestro policy test p\/\?/);
    const none = maestro(home, ['zzzzzzzzzz']);
    expect(none.code).toBe(2);
    expect(none.stderr).not.toMatch(/did you mean/);
  });

  it('a mistyped flag suggests the nearest flag; a missing argument is named cleanly', () => {
    const f = maestro(home, ['plan', 'fixtures/manifests/hello.yaml', '--explian']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/unknown flag --explian; did you mean --explain\?/);
    const m = maestro(home, ['plan']);
    expect(m.code).toBe(2);
    expect(m.stderr.trim()).toBe(
      'error: maestro plan: missing argument <manifest> (Path of the manifest (YAML)) (hint: maestro plan <manifest>; more: maestro plan --help)',
    );
    expect(m.stderr).not.toMatch(/:;/);
  });

  it('closest and describeUsageError (units)', () => {
    expect(closest('--formta', ['--format', '--json'])).toBe('--format');
    expect(closest('--zzzzzz', ['--format', '--json'])).toBeUndefined();
    expect(describeUsageError({ message: 'Nonexistent flag: --x' }, 'plan', '', [])).toBeUndefined();
  });

  it('shell completion is available (autocomplete plugin)', () => {
    const r = maestro(home, ['autocomplete', 'script', 'bash']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/maestro/);
  });
});

describe('maestro doctor', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);
  const names = ['bubblewrap', 'user namespaces', 'seccomp', 'cgroups', 'landlock', 'apparmor', 'GNU time', 'keys', 'database', 'disk space', 'clock'];

  it('--json lists every check with a fix hint when failed; exit status follows the required checks; creates nothing', () => {
    const r = maestro(home, ['doctor', '--json']);
    const report = r.json();
    expect(report.checks.map((c: { name: unknown }) => c.name)).toEqual(names);
    for (const c of report.checks) {
      expect(typeof c.detail).toBe('string');
      if (!c.ok) expect(c.hint, c.name).toMatch(/\S/);
    }
    const requiredFailed = report.checks.some((c: { required: unknown; ok: unknown }) => c.required && !c.ok);
    expect(report.ok).toBe(!requiredFailed);
    expect(r.code).toBe(requiredFailed ? 1 : 0);
    expect(existsSync(home)).toBe(false);
  });

  it('fails (exit 1) without bubblewrap on PATH, naming the fix', () => {
    const r = maestro(home, ['doctor', '--json'], { PATH: '/nonexistent' });
    // node itself is found through process.execPath; /usr/bin/time is probed by absolute path.
    const bwrap = r.json().checks.find((c: { name: unknown }) => c.name === 'bubblewrap');
    expect(bwrap.ok).toBe(false);
    expect(bwrap.hint).toMatch(/apt-get install -y bubblewrap/);
    expect(r.code).toBe(1);
    expect(maestro(home, ['doctor'], { PATH: '/nonexistent' }).stdout).toMatch(
      /FAIL\s+bubblewrap[\s\S]*fix: apt-get install -y bubblewrap[\s\S]*cannot run workflows here/,
    );
  });

  it('a corrupted database fails the integrity check', () => {
    expect(maestro(home, ['init']).code).toBe(0);
    const db = join(home, 'maestro.db');
    const before = maestro(home, ['doctor', '--json']).json();
    expect(before.checks.find((c: { name: unknown }) => c.name === 'database').ok).toBe(true);
    expect(before.checks.find((c: { name: unknown }) => c.name === 'keys').ok).toBe(true);
    const fd = openSync(db, 'r+');
    const size = statSync(db).size;
    for (let off = 4096; off < size; off += 4096) writeSync(fd, Buffer.alloc(512, 0x5a), 0, 512, off);
    closeSync(fd);
    const after = maestro(home, ['doctor', '--json']);
    const check = after.json().checks.find((c: { name: unknown }) => c.name === 'database');
    expect(check.ok).toBe(false);
    expect(check.hint).toMatch(/restore|move/);
    expect(after.code).toBe(1);
  });
});
