import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, ROOT, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';

const t = tempHome();
let srv: Served;
let adminToken: string;
let acmeAdmin: string;
let acmeViewer: string;
let betaAdmin: string;
const cli = (args: string[], env: Record<string, string> = {}) => maestro(t.home, args, env);

async function http(method: string, path: string, token?: string, body?: unknown, raw?: string) {
  const res = await fetch(srv.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined || raw ? { 'content-type': 'application/json' } : {}) },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: a response body, parsed JSON navigated freely by the assertions (a wrong path fails the test)
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
}

beforeAll(async () => {
  cli(['init']);
  for (const [tenant, members] of [
    [
      'acme',
      [
        ['ann@acme.io', 'admin'],
        ['vic@acme.io', 'viewer'],
      ],
    ],
    ['beta', [['bob@beta.io', 'admin']]],
  ] as const) {
    expect(cli(['tenants', 'create', tenant, '--max-concurrent', '4']).code).toBe(0);
    for (const [s, r] of members) expect(cli(['tenants', 'members', 'set', tenant, s, r]).code).toBe(0);
  }
  const tok = (tenant: string, subject: string) => cli(['login', '--tenant', tenant, '--subject', subject, '--print']).stdout.trim();
  adminToken = readFileSync(join(t.home, 'token'), 'utf8').trim();
  acmeAdmin = tok('acme', 'ann@acme.io');
  acmeViewer = tok('acme', 'vic@acme.io');
  betaAdmin = tok('beta', 'bob@beta.io');
  srv = await serve(t.home);
});
afterAll(async () => {
  await srv?.stop();
  t.cleanup();
});

describe('maestro serve', () => {
  it('answers health and serves the OpenAPI document that is committed', async () => {
    const h = await http('GET', '/healthz');
    expect(h.status).toBe(200);
    expect(h.json.status).toBe('ok');
    const doc = await http('GET', '/api/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(expect.arrayContaining(['/api/tenants', '/api/tenants/{id}/members', '/api/whoami']));
    const committed = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8'));
    expect(doc.json).toEqual(committed); // regenerate with: node dist/scripts/openapi.js > docs/openapi.json
  });

  it('refuses unauthenticated and badly authenticated calls with 401 and a reason', async () => {
    const none = await http('GET', '/api/whoami');
    expect(none.status).toBe(401);
    expect(none.json.error).toMatchObject({ code: 'NO_TOKEN', kind: 'auth' });
    const bad = await http('GET', '/api/whoami', 'x.y.z');
    expect(bad.status).toBe(401);
    expect(bad.json.error.message).toMatch(/token/);
  });

  it('answers whoami for the caller', async () => {
    const r = await http('GET', '/api/whoami', acmeViewer);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      subject: 'vic@acme.io',
      tenant: 'acme',
      roles: ['viewer'],
      quotas: { maxConcurrent: 4, inUse: 0 },
      budget: { dailyMaxUSD: 100, spentUSD: 0 },
    });
  });

  it('403 when the role does not allow it, with the reason', async () => {
    const r = await http('PUT', '/api/tenants/acme/members', acmeViewer, { subject: 'x@acme.io', role: 'viewer' });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toContain('"members:manage" needs the admin role');
    const c = await http('POST', '/api/tenants', acmeAdmin, { name: 'gamma' });
    expect(c.status).toBe(403);
  });

  it('one tenant can never read or change another tenant, nor tell a foreign tenant from an unknown one', async () => {
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/api/tenants/{t}/members'],
      ['PUT', '/api/tenants/{t}/members', { subject: 'ann@acme.io', role: 'admin' }],
      ['PUT', '/api/tenants/{t}', { maxConcurrent: 100 }],
    ];
    for (const [method, path, body] of attempts) {
      const foreign = await http(method, path.replace('{t}', 'beta'), acmeAdmin, body);
      const unknown = await http(method, path.replace('{t}', 'zeta'), acmeAdmin, body);
      expect(foreign.status, `${method} ${path}`).toBe(404);
      expect(unknown.status, `${method} ${path}`).toBe(404);
      expect(foreign.json.error.code).toBe('TENANT_NOT_FOUND');
      // Byte for byte the same answer once the name the caller sent is taken out.
      expect(foreign.text.replaceAll('beta', 'X')).toBe(unknown.text.replaceAll('zeta', 'X'));
    }
    const viewerForeign = await http('GET', '/api/tenants/beta/members', acmeViewer);
    const viewerUnknown = await http('GET', '/api/tenants/zeta/members', acmeViewer);
    expect([viewerForeign.status, viewerUnknown.status]).toEqual([404, 404]);
    const list = await http('GET', '/api/tenants', betaAdmin);
    expect(list.json.map((x: { name: string }) => x.name)).toEqual(['beta']);
    const members = await http('GET', '/api/tenants/beta/members', betaAdmin);
    expect(members.json.map((m: { subject: string }) => m.subject)).toEqual(['bob@beta.io']);
  });

  it('400 names the invalid field; types are not coerced; bodies are size-limited', async () => {
    const r = await http('POST', '/api/tenants', adminToken, { name: 5 });
    expect(r.status).toBe(400);
    expect(r.json.error.field).toBe('name');
    expect(r.json.error.message).toContain('name');
    const missing = await http('PUT', '/api/tenants/acme/members', adminToken, { subject: 'a@b' });
    expect(missing.status).toBe(400);
    expect(missing.json.error.field).toBe('role');
    const extra = await http('PUT', '/api/tenants/acme', adminToken, { maxConcurrent: 3, colour: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.json.error.field).toBe('colour');
    const big = await http('POST', '/api/tenants', adminToken, undefined, JSON.stringify({ name: 'x', pad: 'a'.repeat(2 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    const nf = await http('GET', '/api/nothing-here', adminToken);
    expect(nf.status).toBe(404);
  });

  it('exports Prometheus metrics to a token with the metrics permission in the default tenant only', async () => {
    expect((await http('GET', '/metrics')).status).toBe(401);
    const viewer = await http('GET', '/metrics', acmeViewer);
    expect(viewer.status).toBe(403);
    expect(viewer.json.error.message).toContain('"metrics" needs the admin role');
    const tenantAdmin = await http('GET', '/metrics', acmeAdmin);
    expect(tenantAdmin.status).toBe(403);
    expect(tenantAdmin.text).not.toContain('mc_');
    expect(tenantAdmin.json.error.message).toContain('every tenant');
    const m = await http('GET', '/metrics', adminToken);
    expect(m.status).toBe(200);
    expect(m.type).toContain('text/plain');
    expect(m.text).toContain('# TYPE mc_http_request_duration_seconds histogram');
    expect(m.text).toContain('mc_publish_to_start_seconds');
  });

  it('the thin client gives the same output as local mode', () => {
    for (const args of [
      ['whoami'],
      ['whoami', '--json'],
      ['tenants', 'list', '--json'],
      ['tenants', 'members', 'list', 'acme'],
      ['tenants', 'members', 'list', 'acme', '--json'],
    ]) {
      const local = cli(args, { MAESTRO_TOKEN: acmeAdmin });
      const remote = cli([...args, '--remote', srv.url], { MAESTRO_TOKEN: acmeAdmin });
      expect(remote.code, args.join(' ')).toBe(local.code);
      expect(remote.stdout, args.join(' ')).toBe(local.stdout);
    }
    const viaEnv = cli(['whoami', '--json'], { MAESTRO_TOKEN: acmeViewer, MAESTRO_URL: srv.url });
    expect(viaEnv.json().subject).toBe('vic@acme.io');
  });

  it('the thin client keeps exit codes: 4 for refusals, 2 for usage, 5 for not found', () => {
    const denied = cli(['tenants', 'members', 'set', 'acme', 'z@acme.io', 'viewer', '--remote', srv.url], { MAESTRO_TOKEN: acmeViewer });
    expect(denied.code).toBe(4);
    expect(denied.stderr).toContain('needs the admin role');
    const unauth = cli(['whoami', '--remote', srv.url], { MAESTRO_TOKEN: 'nope' });
    expect(unauth.code).toBe(4);
    expect(cli(['tenants', 'set', 'nope', '--max-concurrent', '1', '--remote', srv.url], { MAESTRO_TOKEN: adminToken }).code).toBe(5);
    expect(cli(['tenants', 'set', 'acme', '--max-concurrent', 'lots', '--remote', srv.url], { MAESTRO_TOKEN: adminToken }).code).toBe(2);
    const c = cli(['tenants', 'create', 'delta', '--daily-budget', '250', '--json', '--remote', srv.url], { MAESTRO_TOKEN: adminToken });
    expect(c.code).toBe(0);
    expect(c.json()).toMatchObject({ name: 'delta', dailyBudgetUSD: 250 });
  });

  it('says clearly when the control plane cannot be reached (exit 1)', () => {
    const r = cli(['whoami', '--remote', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot reach control plane at http://127.0.0.1:9: connection refused');
  });

  it('writes no warnings while serving', () => {
    expect(srv.stderr()).not.toMatch(/Warning/);
  });
});

describe('graceful shutdown', () => {
  it('exits 0 on SIGTERM after finishing', async () => {
    const h = tempHome();
    const s = await serve(h.home);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect(await s.stop('SIGTERM')).toBe(0);
    expect(s.stderr()).toContain('SIGTERM received');
    h.cleanup();
  });
});
