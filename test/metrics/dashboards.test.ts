/**
 * ops/grafana/*.json (spec §10): well-formed dashboards; every PromQL expression parses (promtool
 * check rules on generated recording rules); every metric they name is exported by /metrics.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderMetrics } from '../../src/metrics/index.js';
import { openStore } from '../../src/store/index.js';
import { maestro, ROOT, tempHome } from '../helpers/cli.js';

const PROMTOOL = spawnSync('promtool', ['--version']).status === 0;
const DIR = join(ROOT, 'ops', 'grafana');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const dashboards = files.map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DIR, f), 'utf8')) }));
const exprs = dashboards.flatMap((d) =>
  // biome-ignore lint/suspicious/noExplicitAny: a Grafana panel, parsed JSON navigated freely by the assertions (a wrong path fails the test)
  d.json.panels.flatMap((p: any) => p.targets.map((t: { expr: unknown }) => ({ file: d.file, panel: p.title as string, expr: t.expr as string }))),
);

/** Grafana's variables, as a query would see them. */
const substitute = (e: string) => e.replace(/\$__rate_interval/g, '5m').replace(/\$tenant/g, '.*');

describe('grafana dashboards', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);

  it('the three dashboards of spec §10 are there, well-formed', () => {
    expect(dashboards.map((d) => d.json.title).sort()).toEqual(['Maestro: Cost governor', 'Maestro: Disclosure throughput', 'Maestro: Tenant overview']);
    for (const { file, json } of dashboards) {
      expect(typeof json.uid, file).toBe('string');
      expect(json.schemaVersion, file).toBeGreaterThan(30);
      const ids = json.panels.map((p: { id: unknown }) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      for (const p of json.panels) {
        expect(p.targets.length, `${file}: ${p.title}`).toBeGreaterThan(0);
        expect(p.gridPos.w + p.gridPos.x, `${file}: ${p.title}`).toBeLessThanOrEqual(24);
      }
    }
    expect(exprs.length).toBeGreaterThan(15);
  });

  const why = PROMTOOL ? '' : ' (skipped: promtool is not installed; apt-get install -y prometheus)';
  it.skipIf(!PROMTOOL)(`every expression parses (promtool check rules)${why}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-rules-'));
    try {
      const rules = { groups: [{ name: 'dashboards', rules: exprs.map((e, i) => ({ record: `dashboard:expr_${i}`, expr: substitute(e.expr) })) }] };
      writeFileSync(join(dir, 'rules.yml'), stringify(rules));
      const r = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`SUCCESS: ${exprs.length} rules found`));
      // The check is real: a broken expression fails it.
      writeFileSync(join(dir, 'bad.yml'), stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum by (le (rate(x[5m]))' }] }] }));
      expect(spawnSync('promtool', ['check', 'rules', join(dir, 'bad.yml')]).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every metric named is exported by /metrics', async () => {
    expect(maestro(home, ['init']).code).toBe(0);
    const store = openStore({ home });
    try {
      const { text } = await renderMetrics(store);
      const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
      const named = new Set(
        exprs.flatMap((e) => [...e.expr.matchAll(/\b((?:mc|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''))),
      );
      expect(named.size).toBeGreaterThan(8);
      for (const n of named) expect(exported.has(n), `${n} is not exported`).toBe(true);
    } finally {
      store.close();
    }
  });
});
