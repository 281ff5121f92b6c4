/**
 * /metrics content: every series passes `promtool check metrics` (except the spec's own name
 * mc_policy_eval_ms, kept exactly), histograms are cumulative and never fall while the process lives,
 * default process metrics and mc_build_info are exported.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMetrics } from '../../src/metrics/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { sqlite } from '../../src/store/sqlite-driver.js';
import { maestro, ROOT, tempHome } from '../helpers/cli.js';

// better-sqlite3 12 or 13 by Node major, as the engine picks it (ADR 0034).
const Database = sqlite();

const PROMTOOL = spawnSync('promtool', ['--version']).status === 0 ? 'promtool' : null;
const SPEC_NAMES = ['mc_cost_estimate_usd', 'mc_tenant_denies_total', 'mc_policy_eval_ms'];

function sample(text: string, name: string, labels = ''): number | undefined {
  const re = new RegExp(`^${name}${labels ? `\\{${labels}\\}` : '(\\{[^}]*\\})?'} (\\S+)$`, 'm');
  const m = re.exec(text);
  return m ? Number(m[m.length - 1]) : undefined;
}

describe('metrics', () => {
  const { home, cleanup } = tempHome();
  let store: Store;
  let wf: string;
  beforeAll(() => {
    expect(maestro(home, ['tenants', 'set', 'default', '--no-require-sandbox']).code).toBe(0);
    const dir = join(home, '..', 'wf');
    mkdirSync(dir, { recursive: true });
    wf = join(dir, 'm.yaml');
    writeFileSync(
      wf,
      'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: m }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - id: a\n      uses: shell\n      run: echo a\n',
    );
    expect(maestro(home, ['run', wf, '--sandbox', 'none']).code).toBe(0);
    store = openStore({ home });
  });
  afterAll(() => {
    store?.close();
    cleanup();
  });

  it('exports the spec names exactly, process metrics and mc_build_info', async () => {
    const { text } = await renderMetrics(store);
    for (const n of SPEC_NAMES) expect(text).toMatch(new RegExp(`^# TYPE ${n} `, 'm'));
    expect(text).toMatch(/^# TYPE mc_policy_eval_ms histogram$/m);
    expect(text).toMatch(/^# TYPE mc_tenant_denies_total counter$/m);
    expect(text).toMatch(/^# TYPE mc_cost_estimate_usd gauge$/m);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(text).toContain(`mc_build_info{version="${version}",node="${process.version}",platform="${process.platform}/${process.arch}"} 1`);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^# TYPE process_resident_memory_bytes gauge$/m);
    expect(text).toMatch(/^# TYPE mc_http_request_duration_seconds histogram$/m);
  });

  const why = PROMTOOL ? '' : ' (skipped: promtool is not installed; apt-get install -y prometheus)';
  it.skipIf(!PROMTOOL)(`promtool check metrics: no problem but the spec-mandated mc_policy_eval_ms unit${why}`, async () => {
    const { text } = await renderMetrics(store);
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
    expect(problems.filter((l) => !l.startsWith('mc_policy_eval_ms '))).toEqual([]);
    // The check is real: a bad series is reported.
    const bad = spawnSync('promtool', ['check', 'metrics'], { input: '# HELP x_ms a\n# TYPE x_ms counter\nx_ms 1\n', encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });

  it('mc_publish_to_start_seconds is cumulative: old executions stay counted and counts never fall', async () => {
    const first = (await renderMetrics(store)).text;
    const n1 = sample(first, 'mc_publish_to_start_seconds_count')!;
    expect(n1).toBe(1);
    // Age the execution by three days: a 24-hour window would drop it (the old behaviour).
    const db = new Database(join(home, 'maestro.db'));
    const old = (iso: string) => new Date(Date.parse(iso) - 3 * 86_400_000).toISOString();
    for (const r of db.prepare('select id, published_at, started_at from executions').all() as Array<{
      id: string;
      published_at: string;
      started_at: string;
    }>) {
      db.prepare('update executions set published_at = ?, started_at = ? where id = ?').run(old(r.published_at), old(r.started_at), r.id);
    }
    db.close();
    const second = (await renderMetrics(store)).text;
    expect(sample(second, 'mc_publish_to_start_seconds_count')).toBe(1);
    expect(maestro(home, ['run', wf, '--sandbox', 'none']).code).toBe(0);
    const third = (await renderMetrics(store)).text;
    expect(sample(third, 'mc_publish_to_start_seconds_count')).toBe(2);
    for (const le of ['0.01', '0.1', '1', '10', '+Inf']) {
      const a = sample(first, 'mc_publish_to_start_seconds_bucket', `le="${le.replace('+', '\\+')}"`)!;
      const c = sample(third, 'mc_publish_to_start_seconds_bucket', `le="${le.replace('+', '\\+')}"`)!;
      expect(c, le).toBeGreaterThanOrEqual(a);
    }
  });
});
