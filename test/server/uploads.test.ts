/**
 * Bad workspace uploads (issue 16 item 7) through the real server: 400 naming the offending path,
 * never a 500, never a server path, and nothing left in the uploads folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, ROOT, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';

const t = tempHome();
let srv: Served;
let admin: string;
const manifest = readFileSync(join(ROOT, 'fixtures', 'manifests', 'hello.yaml'), 'utf8');
const file = (path: string, text = 'x') => ({ path, mode: 0o644, data: Buffer.from(text).toString('base64') });

beforeAll(async () => {
  maestro(t.home, ['init']);
  admin = readFileSync(join(t.home, 'token'), 'utf8').trim();
  srv = await serve(t.home);
});
afterAll(async () => {
  await srv?.stop();
  t.cleanup();
});

async function upload(root: string, files: ReturnType<typeof file>[]) {
  const res = await fetch(`${srv.url}/api/executions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ manifest, name: 'wf.yaml', sandbox: 'none', workspace: { root, files } }),
  });
  return { status: res.status, text: await res.text() };
}

describe('workspace uploads', () => {
  const cases: Array<[string, string, ReturnType<typeof file>[], string, string]> = [
    ['a file and a file below it', '.', [file('a'), file('a/b')], 'WORKSPACE_PATH_CONFLICT', 'workspace path "a/b" needs "a" to be a directory'],
    [
      'the same, deeper and in the other order',
      'ws',
      [file('x/y/z'), file('x/y')],
      'WORKSPACE_PATH_CONFLICT',
      'workspace path "x/y/z" needs "x/y" to be a directory',
    ],
    ['the path "."', '.', [file('.')], 'WORKSPACE_PATH_NOT_FILE', 'workspace path "." names a directory'],
    ['a path naming the root through ..', 'ws', [file('sub/..')], 'WORKSPACE_PATH_NOT_FILE', 'workspace path "sub/.." names a directory'],
    ['a trailing slash', '.', [file('dir/')], 'WORKSPACE_PATH_NOT_FILE', 'workspace path "dir/" names a directory'],
    ['a duplicate', '.', [file('d.txt'), file('d.txt', 'y')], 'WORKSPACE_PATH_DUPLICATE', 'workspace path "d.txt" is sent twice'],
    [
      'a duplicate after normalising',
      '.',
      [file('d.txt'), file('./d.txt')],
      'WORKSPACE_PATH_DUPLICATE',
      'workspace path "./d.txt" is the same file as "d.txt"',
    ],
    ['an escape', '.', [file('../../etc/x')], 'WORKSPACE_PATH_ESCAPES', 'workspace path "../../etc/x" escapes the upload folder'],
    ['an absolute path', '.', [file('/etc/x')], 'WORKSPACE_PATH_ESCAPES', 'workspace path "/etc/x" is absolute'],
  ];
  for (const [what, root, files, code, message] of cases) {
    it(`${what}: 400 ${code}`, async () => {
      const r = await upload(root, files);
      expect(r.status, r.text).toBe(400);
      const body = JSON.parse(r.text);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toContain(message);
      expect(r.text).not.toContain(t.home);
      expect(r.text).not.toContain('/uploads/');
      const uploads = join(t.home, 'uploads');
      expect(existsSync(uploads) ? readdirSync(uploads) : []).toEqual([]); // nothing half-written
    });
  }

  it('a long offending path is cut in the message', async () => {
    const long = `${'d'.repeat(900)}/f`;
    const r = await upload('.', [file(long), file(long)]);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text).error.message.length).toBeLessThan(400);
  });
});
