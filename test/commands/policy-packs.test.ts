// `maestro policy packs …` end to end through the real CLI (built dist/), temp state homes.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, ROOT, tempHome } from '../helpers/cli.js';

let home: { home: string; cleanup(): void };
let packs: string;
const run = (args: string[], env: Record<string, string> = {}) => maestro(home.home, args, { MAESTRO_PACKS_DIR: packs, ...env });

beforeAll(() => {
  home = tempHome('mc-packs-cli-');
  packs = join(mkdtempSync(join(tmpdir(), 'mc-packs-cli-src-')), 'policies');
  cpSync(join(ROOT, 'policies'), packs, { recursive: true });
});
afterAll(() => home.cleanup());

describe('maestro policy packs', () => {
  it('list --json: six shipped packs, signed on first use, enabled, with digests', () => {
    const r = run(['policy', 'packs', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.json<Array<{ id: string; version: string; digest: string; signature: string; enabled: boolean; title: string; summary: string }>>();
    expect(rows.map((p) => p.id)).toEqual(['budget', 'quota', 'rbac', 'residency', 'resource-class', 'sandbox-required']);
    for (const p of rows) {
      expect(p.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(p).toMatchObject({ version: '1.0.0', signature: 'valid', enabled: true });
      expect(p.title.length).toBeGreaterThan(0);
    }
  });

  it('verify works on a fresh install (shipped packs are signed on first use)', () => {
    const fresh = tempHome('mc-packs-fresh-');
    try {
      const r = maestro(fresh.home, ['policy', 'packs', 'verify', 'quota', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json()).toMatchObject({ id: 'quota', valid: true, signature: 'valid' });
    } finally {
      fresh.cleanup();
    }
  });

  it('list (human) shows a table', () => {
    const r = run(['policy', 'packs', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+VERSION\s+ENABLED\s+SIGNATURE\s+DIGEST\s+TITLE/);
    expect(r.stdout).toMatch(/residency\s+1\.0\.0\s+yes\s+valid\s+sha256:/);
  });

  it('show <id> --json: rules with file:line, inputs and examples', () => {
    const r = run(['policy', 'packs', 'show', 'budget', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = r.json();
    expect(p.id).toBe('budget');
    expect(p.inputs).toContain('plan.estimatedCostUSD');
    expect(p.rules.find((x: { name: string }) => x.name === 'deny').location).toMatch(/^policies\/budget\/policy\.rego:\d+$/);
    expect(p.examples.length).toBeGreaterThanOrEqual(3);
  });

  it('show of an unknown pack exits 5', () => {
    const r = run(['policy', 'packs', 'show', 'nope']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('no policy pack "nope"');
  });

  it('sign then verify; one byte changed after signing → verify exits 1 and list says invalid', () => {
    const s = run(['policy', 'packs', 'sign', 'residency', '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.json().path).toBe(join(home.home, 'pack-signatures', 'residency.sig.json'));
    expect(run(['policy', 'packs', 'verify', 'residency']).code).toBe(0);
    const file = join(packs, 'residency', 'policy.rego');
    const buf = readFileSync(file);
    buf[buf.length - 2] = buf[buf.length - 2]! ^ 1;
    writeFileSync(file, buf);
    const v = run(['policy', 'packs', 'verify', 'residency', '--json']);
    expect(v.code).toBe(1);
    expect(v.json()).toMatchObject({ id: 'residency', valid: false, signature: 'invalid' });
    expect(v.stderr).toContain('changed after signing');
    const list = run(['policy', 'packs', 'list', '--json']).json<Array<{ id: string; signature: string }>>();
    expect(list.find((p) => p.id === 'residency')!.signature).toBe('invalid');
  });

  it('disable/enable for a tenant, checked by list; a viewer may not change packs (exit 4)', () => {
    expect(run(['tenants', 'create', 'acme']).code).toBe(0);
    const d = run(['policy', 'packs', 'disable', 'budget', '--tenant', 'acme', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json()).toEqual({ id: 'budget', tenant: 'acme', enabled: false });
    expect(run(['policy', 'packs', 'enable', 'budget', '--tenant', 'acme']).stdout).toContain('budget: enabled for tenant acme');
    expect(run(['tenants', 'members', 'set', 'default', 'val@x', 'viewer']).code).toBe(0);
    const token = run(['login', '--tenant', 'default', '--subject', 'val@x', '--print', '--json']).json().token as string;
    const denied = run(['policy', 'packs', 'disable', 'budget'], { MAESTRO_TOKEN: token });
    expect(denied.code).toBe(4);
  });

  it('`maestro policy test policies/` passes every pack test', () => {
    const r = maestro(home.home, ['policy', 'test', 'policies/']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASS: (\d+)\/\1/);
  });

  it('docs --check passes on the shipped packs and --out writes READMEs', () => {
    const shipped = maestro(home.home, ['policy', 'packs', 'docs', '--check']);
    expect(shipped.code, shipped.stdout + shipped.stderr).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'mc-docs-cli-'));
    const r = maestro(home.home, ['policy', 'packs', 'docs', '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'quota', 'README.md'), 'utf8')).toBe(readFileSync(join(ROOT, 'policies', 'quota', 'README.md'), 'utf8'));
  });
});
