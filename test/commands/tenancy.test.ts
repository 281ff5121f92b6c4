import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';

const t = tempHome();
afterAll(() => t.cleanup());
const run = (args: string[], env: Record<string, string> = {}) => maestro(t.home, args, env);

describe('maestro foundation CLI', () => {
  it('auto-inits on first use, says where once, and whoami prints the spec §15.2 fields exactly', () => {
    const first = run(['whoami', '--json']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(`created state home ${t.home}`);
    expect(first.json()).toEqual({
      subject: 'tester@local',
      tenant: 'default',
      roles: ['admin'],
      quotas: { maxConcurrent: 25, inUse: 0 },
      budget: { dailyMaxUSD: 100, spentUSD: 0 },
    });
    const second = run(['whoami', '--json']);
    expect(second.stderr).toBe('');
    expect(statSync(join(t.home, 'token')).mode & 0o777).toBe(0o600);
  });

  it('init is idempotent', () => {
    const r = run(['init', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ created: false, tenant: 'default', subject: 'tester@local' });
  });

  it('creates and lists tenants, sets budgets and quotas, upserts members', () => {
    const c = run(['tenants', 'create', 'acme', '--daily-budget', '500', '--max-concurrent', '3', '--json']);
    expect(c.code).toBe(0);
    expect(c.json()).toMatchObject({ name: 'acme', dailyBudgetUSD: 500, maxConcurrent: 3, dayTimezone: 'UTC' });
    expect(run(['tenants', 'create', 'acme']).code).toBe(2);
    const s = run(['tenants', 'set', 'acme', '--daily-budget', '12.34', '--day-timezone', 'America/Denver', '--json']);
    expect(s.json()).toMatchObject({ dailyBudgetUSD: 12.34, dayTimezone: 'America/Denver', maxConcurrent: 3 });
    expect(run(['tenants', 'set', 'acme', '--daily-budget', 'lots']).stderr).toContain('"lots" is not a USD amount');
    expect(run(['tenants', 'set', 'nope', '--max-concurrent', '2']).code).toBe(5);
    expect(run(['tenants', 'members', 'set', 'acme', 'ann@acme.io', 'admin']).code).toBe(0);
    expect(run(['tenants', 'members', 'set', 'acme', 'vic@acme.io', 'viewer']).code).toBe(0);
    expect(run(['tenants', 'members', 'set', 'acme', 'vic@acme.io', 'boss']).code).toBe(2);
    const list = run(['tenants', 'members', 'list', 'acme', '--json']).json();
    expect(list.map((m: { subject: string; role: string }) => [m.subject, m.role])).toEqual([
      ['ann@acme.io', 'admin'],
      ['vic@acme.io', 'viewer'],
    ]);
    const names = run(['tenants', 'list', '--json'])
      .json()
      .map((x: { name: string }) => x.name);
    expect(names).toEqual(['acme', 'default']);
  });

  it('login issues a token for a member only; whoami then shows that identity', () => {
    const bad = run(['login', '--tenant', 'acme', '--subject', 'nobody@acme.io']);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('"nobody@acme.io" is not a member of tenant "acme"');
    const tok = run(['login', '--tenant', 'acme', '--subject', 'vic@acme.io', '--ttl', '1h', '--print']);
    expect(tok.code).toBe(0);
    const token = tok.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const w = run(['whoami', '--json'], { MAESTRO_TOKEN: token }).json();
    expect(w).toMatchObject({ subject: 'vic@acme.io', tenant: 'acme', roles: ['viewer'], quotas: { maxConcurrent: 3 } });
  });

  it('enforces roles and tenants on commands (exit 4 with the reason)', () => {
    const viewer = run(['login', '--tenant', 'acme', '--subject', 'vic@acme.io', '--print']).stdout.trim();
    const admin = run(['login', '--tenant', 'acme', '--subject', 'ann@acme.io', '--print']).stdout.trim();
    const v = run(['tenants', 'members', 'set', 'acme', 'x@acme.io', 'viewer'], { MAESTRO_TOKEN: viewer });
    expect(v.code).toBe(4);
    expect(v.stderr).toContain('"members:manage" needs the admin role');
    expect(run(['tenants', 'members', 'set', 'acme', 'x@acme.io', 'viewer'], { MAESTRO_TOKEN: admin }).code).toBe(0);
    const cross = run(['tenants', 'members', 'list', 'default'], { MAESTRO_TOKEN: admin });
    expect(cross.code).toBe(4);
    expect(cross.stderr).toContain('may not access tenant "default"');
    const create = run(['tenants', 'create', 'other'], { MAESTRO_TOKEN: admin });
    expect(create.code).toBe(4);
    expect(
      run(['tenants', 'list', '--json'], { MAESTRO_TOKEN: admin })
        .json()
        .map((x: { name: string }) => x.name),
    ).toEqual(['acme']);
  });

  it('refuses bad tokens with exit 4 and one clear stderr line, no stack trace', () => {
    const r = run(['whoami'], { MAESTRO_TOKEN: 'a.b.c' });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: the token/);
    const j = run(['whoami', '--json'], { MAESTRO_TOKEN: 'a.b.c' });
    expect(j.stdout).toBe('');
    expect(JSON.parse(j.stderr).error.code).toMatch(/^TOKEN_/);
  });

  it('usage errors exit 2', () => {
    expect(run(['whoami', '--bogus']).code).toBe(2);
    // --remote exists only on commands that can act as a thin client.
    const local = run(['keys', 'list', '--remote', 'http://127.0.0.1:9']);
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('--remote');
    expect(run(['tenants', 'create']).code).toBe(2);
  });

  it('every command has help with an example', () => {
    const r = run(['tenants', 'create', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('EXAMPLES');
  });
});
