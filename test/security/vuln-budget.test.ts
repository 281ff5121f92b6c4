// The CVE budget gate (scripts/gates/vuln-budget.mjs) judged on recorded `npm audit --json` shapes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'mc-vuln-'));

function advisory(name: string, severity: string, ghsa: string) {
  return {
    name,
    severity,
    isDirect: false,
    via: [{ source: 1, name, title: 't', url: `https://github.com/advisories/${ghsa}`, severity }],
    effects: [],
    range: '*',
    nodes: [],
    fixAvailable: false,
  };
}

function audit(vulns: ReturnType<typeof advisory>[]) {
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: vulns.length };
  for (const v of vulns) counts[v.severity as 'high']++;
  return { auditReportVersion: 2, vulnerabilities: Object.fromEntries(vulns.map((v) => [v.name, v])), metadata: { vulnerabilities: counts } };
}

function gate(auditDoc: unknown, justifications: unknown[], today = '2026-11-28') {
  const a = join(dir, `audit-${Math.random()}.json`);
  const j = join(dir, `just-${Math.random()}.yaml`);
  writeFileSync(a, JSON.stringify(auditDoc));
  writeFileSync(j, JSON.stringify({ justifications }));
  const r = spawnSync(process.execPath, ['scripts/gates/vuln-budget.mjs', '--input', a, '--justifications', j, '--today', today], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

const just = (id: string, expires = '2027-01-31') => ({ id, package: 'p', reason: 'not reachable', owner: 'sre', expires });

describe('vulnerability budget gate', () => {
  it('passes a clean audit', () => {
    const r = gate(audit([]), []);
    expect(r.code).toBe(0);
    expect(r.out).toContain('vuln-budget: pass (critical 0/0, high 0/3)');
  });
  it('fails on any critical, even justified', () => {
    const r = gate(audit([advisory('a', 'critical', 'GHSA-aaaa-aaaa-aaaa')]), [just('GHSA-aaaa-aaaa-aaaa')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/critical advisory in a/);
  });
  it('fails on an unjustified high and passes it once justified', () => {
    const doc = audit([advisory('b', 'high', 'GHSA-bbbb-bbbb-bbbb')]);
    expect(gate(doc, []).code).toBe(1);
    expect(gate(doc, [just('GHSA-bbbb-bbbb-bbbb')]).code).toBe(0);
  });
  it('fails on an expired justification', () => {
    const doc = audit([advisory('b', 'high', 'GHSA-bbbb-bbbb-bbbb')]);
    const r = gate(doc, [just('GHSA-bbbb-bbbb-bbbb', '2026-11-27')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/expired on 2026-11-27/);
  });
  it('fails past the budget of three highs, justified or not', () => {
    const ids = ['GHSA-1111-1111-1111', 'GHSA-2222-2222-2222', 'GHSA-3333-3333-3333', 'GHSA-4444-4444-4444'];
    const doc = audit(ids.map((id, i) => advisory(`p${i}`, 'high', id)));
    const r = gate(
      doc,
      ids.map((id) => just(id)),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/4 high advisories exceed the budget of 3/);
    expect(
      gate(
        audit(ids.slice(0, 3).map((id, i) => advisory(`p${i}`, 'high', id))),
        ids.map((id) => just(id)),
      ).code,
    ).toBe(0);
  });
  it('says UNAVAILABLE (exit 3), never pass, when the advisory service cannot be reached', () => {
    const r = gate({ message: '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk', statusCode: 405 }, []);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/UNAVAILABLE/);
    expect(r.out).not.toMatch(/pass/);
  });
  it('still fails an expired justification when the service is unavailable', () => {
    const r = gate({ message: 'offline', statusCode: 405 }, [just('GHSA-x', '2020-01-01')]);
    expect(r.code).toBe(1);
  });
  it('the committed justifications file is valid (no expired or malformed entry)', () => {
    const a = join(dir, 'clean.json');
    writeFileSync(a, JSON.stringify(audit([])));
    const r = spawnSync(process.execPath, ['scripts/gates/vuln-budget.mjs', '--input', a], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toContain('vuln-budget: pass');
    expect(r.status).toBe(0);
  });
  it('an unreadable audit input is never a pass', () => {
    const r = spawnSync(process.execPath, ['scripts/gates/vuln-budget.mjs', '--input', join(dir, 'none.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
  });
});
