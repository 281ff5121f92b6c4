/**
 * Remote mode end to end on a real `maestro serve` (loopback): invite → one-time code → login
 * --remote --code → token stored per remote (0600); GET /api/keys, receipt and disclosure (tenant-
 * scoped); `disclose export --remote` then offline verify; local-only commands refuse under MAESTRO_URL.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';

const server = tempHome('maestro-srv-');
const client = tempHome('maestro-cli-');
let srv: Served;
let admin: string;
let wf: string;

const asAdmin = (args: string[]) => maestro(server.home, args, { MAESTRO_TOKEN: admin });
const asClient = (args: string[], env: Record<string, string | undefined> = {}) => maestro(client.home, args, { MAESTRO_URL: srv.url, ...env });

// biome-ignore lint/suspicious/noExplicitAny: a response body, parsed JSON navigated freely by the assertions (a wrong path fails the test)
type Json = any;

async function http(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: Json; bytes: Buffer }> {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: Json;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: res.status, json, bytes };
}

function invite(subject: string, role: string, ttl = '1h'): string {
  const r = asAdmin(['tenants', 'members', 'invite', 'acme', subject, role, '--ttl', ttl, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const inv = r.json();
  expect(inv.code).toMatch(/^mce_[A-Za-z0-9_-]{32}$/);
  expect(inv.login).toContain(`--code ${inv.code}`);
  return inv.code;
}

beforeAll(async () => {
  expect(maestro(server.home, ['init']).code).toBe(0);
  admin = readFileSync(join(server.home, 'token'), 'utf8').trim();
  expect(asAdmin(['tenants', 'create', 'acme', '--no-require-sandbox']).code).toBe(0);
  const dir = join(server.home, '..', 'wf');
  mkdirSync(dir, { recursive: true });
  wf = join(dir, 'plain.yaml');
  writeFileSync(
    wf,
    'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: plain }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - id: hi\n      uses: shell\n      run: echo hi > /out/hi.txt; echo done\n',
  );
  srv = await serve(server.home);
});
afterAll(async () => {
  await srv?.stop();
  server.cleanup();
  client.cleanup();
});

describe('enrolment', () => {
  it('an invited user logs in with the code; the token is stored for that remote (0600) and nothing else is created', () => {
    const code = invite('alice@acme.io', 'operator');
    // The code itself is not stored: only its hash.
    expect(readFileSync(join(server.home, 'maestro.db')).includes(Buffer.from(code))).toBe(false);
    const r = asClient(['login', '--code', code, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const login = r.json();
    expect(login).toMatchObject({ remote: srv.url, subject: 'alice@acme.io', tenant: 'acme', role: 'operator' });
    expect(Date.parse(login.expiresAt)).toBeGreaterThan(Date.now());
    expect(login.tokenPath.startsWith(join(client.home, 'remotes'))).toBe(true);
    expect(statSync(login.tokenPath).mode & 0o777).toBe(0o600);
    expect(readdirSync(client.home).sort()).toEqual(['remotes']);
    const who = asClient(['whoami', '--json']);
    expect(who.code, who.stderr).toBe(0);
    expect(who.json()).toMatchObject({ subject: 'alice@acme.io', tenant: 'acme' });
  });

  it('a code works once, and not after it expires', async () => {
    const code = invite('bob@acme.io', 'viewer');
    expect(asClient(['login', '--code', code]).code).toBe(0);
    const again = asClient(['login', '--code', code]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/already been used/);
    const short = invite('carol@acme.io', 'viewer', '1');
    await new Promise((r) => setTimeout(r, 1500));
    const late = asClient(['login', '--code', short]);
    expect(late.code).toBe(4);
    expect(late.stderr).toMatch(/has expired/);
    expect(asClient(['login', '--code', 'mce_nope']).stderr).toMatch(/not an enrolment code/);
  });

  it('without a token, the 401 hint names login --remote --code for this server', () => {
    const fresh = tempHome();
    try {
      const r = maestro(fresh.home, ['whoami', '--remote', srv.url]);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`maestro login --remote ${srv.url} --code <code>`);
      expect(r.stderr).toContain('maestro tenants members invite');
      expect(r.stderr).not.toContain('--print');
      expect(existsSync(fresh.home)).toBe(false);
    } finally {
      fresh.cleanup();
    }
  });

  it('invites need members:manage; a viewer is refused (403)', async () => {
    const code = invite('vic@acme.io', 'viewer');
    const token = (await http('POST', '/api/enrol', undefined, { code })).json.token;
    expect(typeof token).toBe('string');
    const r = await http('POST', '/api/tenants/acme/invites', token, { subject: 'x@acme.io', role: 'admin' });
    expect(r.status).toBe(403);
  });
});

describe('evidence over HTTP', () => {
  let execId: string;
  let alice: string;
  beforeAll(async () => {
    alice = (await http('POST', '/api/enrol', undefined, { code: invite('al2@acme.io', 'operator') })).json.token;
    const r = maestro(client.home, ['run', wf, '--sandbox', 'none', '--json'], { MAESTRO_URL: srv.url, MAESTRO_TOKEN: alice });
    expect(r.code, r.stderr).toBe(0);
    execId = r.json().id;
  });

  it('GET /api/keys lists the public keys (PEM)', async () => {
    const r = await http('GET', '/api/keys', alice);
    expect(r.status).toBe(200);
    expect(r.json[0].publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(r.json[0].id).toMatch(/\S/);
    expect((await http('GET', '/api/keys')).status).toBe(401);
  });

  it('GET /api/executions/{id}/receipt: the signed receipt; 404 for another tenant and for unknown ids', async () => {
    const r = await http('GET', `/api/executions/${execId}/receipt`, alice);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(Buffer.from(r.json.dsseEnvelope.payload, 'base64').toString('utf8'));
    expect(statement.subject.length).toBeGreaterThan(0);
    expect((await http('GET', `/api/executions/${execId}/receipt`, admin)).status).toBe(404); // default tenant's admin
    expect((await http('GET', '/api/executions/ex_nope/receipt', alice)).status).toBe(404);
  });

  it('GET /api/executions/{id}/disclosure streams the pack; disclose export --remote writes it and it verifies offline', async () => {
    const r = await http('GET', `/api/executions/${execId}/disclosure`, alice);
    expect(r.status).toBe(200);
    expect(r.bytes.subarray(0, 2).toString()).toBe('PK');
    expect((await http('GET', `/api/executions/${execId}/disclosure`, admin)).status).toBe(404);

    const out = join(client.home, '..', 'pack.zip');
    const exp = maestro(client.home, ['disclose', 'export', execId, '-o', out, '--json'], { MAESTRO_URL: srv.url, MAESTRO_TOKEN: alice });
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.json().bytes).toBe(statSync(out).size);
    expect(readFileSync(out).equals(r.bytes)).toBe(true); // deterministic packs: same bytes twice

    const pem = join(client.home, '..', 'server.pem');
    writeFileSync(pem, (await http('GET', '/api/keys', alice)).json[0].publicKeyPem);
    const v = maestro(client.home, ['disclose', 'verify', out, '--key', pem, '--json']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(v.json().ok).toBe(true);
  });

  it('a duplicate tenant is 409', async () => {
    const r = await http('POST', '/api/tenants', admin, { name: 'acme' });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('TENANT_EXISTS');
  });

  it('GET /api/keys gives every trusted key its status; POST /api/keys/{id}/revoke is for platform admins (ADR 0030)', async () => {
    const keys = (await http('GET', '/api/keys', alice)).json;
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toMatchObject({ status: 'trusted', revokedAt: null, owner: expect.stringMatching(/\S/) });
    const id = keys[0].id as string;
    const denied = await http('POST', `/api/keys/${id}/revoke`, alice, { reason: 'not mine to revoke' });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('PERMISSION_DENIED');
    expect((await http('POST', `/api/keys/${'0'.repeat(64)}/revoke`, admin, {})).status).toBe(404);
    expect((await http('POST', '/api/keys/not-hex/revoke', admin, {})).status).toBe(400);
    const ok = await http('POST', `/api/keys/${id}/revoke`, admin, { reason: 'rotated' });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json).toMatchObject({ id, status: 'revoked', revokedReason: 'rotated', changed: true });
    expect((await http('GET', '/api/keys', alice)).json.find((k: { id: string }) => k.id === id)).toMatchObject({
      status: 'revoked',
      revokedReason: 'rotated',
    });
  });
});

describe('local-only commands under MAESTRO_URL', () => {
  it.each([[['keys', 'list']], [['init']], [['cost', 'report']], [['policy', 'packs', 'enable', 'budget']], [['disclose', 'verify', 'x.zip']]])(
    '%j says it is local-only and creates nothing',
    (args) => {
      const fresh = tempHome();
      try {
        const r = maestro(fresh.home, args, { MAESTRO_URL: 'http://127.0.0.1:9' });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/local state home only, and MAESTRO_URL is set/);
        expect(existsSync(fresh.home)).toBe(false);
      } finally {
        fresh.cleanup();
      }
    },
  );
});
