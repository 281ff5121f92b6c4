/**
 * The start-up fast path (ADR 0033): `--version`, `whoami` and `status` run without oclif, and give
 * byte for byte the stdout, stderr and exit status oclif gives (MAESTRO_NO_FAST_PATH=1), locally and
 * against a real `maestro serve`; anything the fast parser is not sure of goes to oclif; oclif is
 * never loaded on the fast path.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFast } from '../../src/cli/fast-path.js';
import { BIN, maestro, ROOT, tempHome } from '../helpers/cli.js';
import { type Served, serve } from '../helpers/serve.js';

describe('parseFast', () => {
  it('reads the exact grammar of whoami and status', () => {
    expect(parseFast(['whoami'], {})).toEqual({ id: 'whoami', flags: { json: false, quiet: false, all: false, explain: false } });
    expect(parseFast(['whoami', '--json', '-q'], {})?.flags).toMatchObject({ json: true, quiet: true });
    expect(parseFast(['whoami', '--quiet'], {})?.flags.quiet).toBe(true);
    expect(parseFast(['whoami', '--remote', 'http://127.0.0.1:1'], {})?.flags.remote).toBe('http://127.0.0.1:1');
    expect(parseFast(['whoami', '--remote=http://127.0.0.1:2'], {})?.flags.remote).toBe('http://127.0.0.1:2');
    expect(parseFast(['status', 'ex_1', '--explain', '--json'], {})).toEqual({
      id: 'status',
      arg: 'ex_1',
      flags: { json: true, quiet: false, all: false, explain: true },
    });
    expect(parseFast(['status', '--all'], {})?.flags.all).toBe(true);
  });

  it('takes MAESTRO_URL when --remote is not given, and --remote over it; an empty MAESTRO_URL is unset', () => {
    expect(parseFast(['whoami'], { MAESTRO_URL: 'http://127.0.0.1:3' })?.flags.remote).toBe('http://127.0.0.1:3');
    expect(parseFast(['whoami', '--remote', 'http://127.0.0.1:4'], { MAESTRO_URL: 'http://127.0.0.1:3' })?.flags.remote).toBe('http://127.0.0.1:4');
    expect(parseFast(['whoami'], { MAESTRO_URL: '' })?.flags.remote).toBeUndefined();
  });

  it('hands to oclif whatever it is not sure of', () => {
    for (const argv of [
      ['whoami', '--help'],
      ['whoami', '-h'],
      ['whoami', 'extra'],
      ['whoami', '--all'], // a status flag
      ['whoami', '--json', '--json'],
      ['whoami', '--jsn'],
      ['whoami', '--json=true'],
      ['whoami', '-qj'],
      ['whoami', '--remote'],
      ['whoami', '--remote='],
      ['whoami', '--remote', '--json'],
      ['whoami', '--remote', 'a', '--remote', 'b'],
      ['whoami', '--'],
      ['status', 'a', 'b'],
      ['status', '-'],
      ['status', ''],
      ['status', '--all', '--all'],
      ['status', '--', 'ex_1'],
      ['help', 'whoami'],
      ['whoam'],
      ['tenants', 'list'],
      [],
    ]) {
      expect(parseFast(argv, {}), argv.join(' ')).toBeUndefined();
    }
  });
});

describe('fast path against oclif, byte for byte', () => {
  const { home, cleanup } = tempHome('maestro-fast-');
  const empty = tempHome('maestro-fast-empty-');
  const server = tempHome('maestro-fast-srv-');
  let srv: Served | undefined;
  let execId = '';

  beforeAll(async () => {
    expect(maestro(home, ['init']).code).toBe(0);
    // One execution, without needing a sandbox on this host.
    expect(maestro(home, ['tenants', 'set', 'default', '--no-require-sandbox']).code).toBe(0);
    const dir = join(home, '..', 'wf');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'plain.yaml'),
      'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: plain }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - id: hi\n      uses: shell\n      run: echo hi\n',
    );
    const run = maestro(home, ['run', join(dir, 'plain.yaml'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    execId = run.json().id;
    expect(maestro(server.home, ['init']).code).toBe(0);
    srv = await serve(server.home);
  }, 120_000);

  afterAll(async () => {
    await srv?.stop();
    cleanup();
    empty.cleanup();
    server.cleanup();
  });

  /** Runs argv both ways and expects the same bytes and status; returns the fast result. */
  function same(h: string, args: string[], env: Record<string, string | undefined> = {}) {
    const fast = maestro(h, args, env);
    const slow = maestro(h, args, { ...env, MAESTRO_NO_FAST_PATH: '1' });
    const what = `${args.join(' ')} ${JSON.stringify(env)}`;
    expect(fast.code, `${what}\n${fast.stderr}`).toBe(slow.code);
    expect(fast.stdout, what).toBe(slow.stdout);
    expect(withoutNodeWarnings(fast.stderr), what).toBe(withoutNodeWarnings(slow.stderr));
    return fast;
  }

  /**
   * Node's own runtime warnings are not maestro's output: Node 22 and later warn "The 'NO_COLOR' env
   * is ignored due to the 'FORCE_COLOR' env being set" when an internal module oclif loads reads the
   * colour depth, and the line carries the process id. Everything maestro writes is compared exactly.
   */
  function withoutNodeWarnings(stderr: string): string {
    return stderr.replace(/^\(node:\d+\) Warning: .*\n(\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n)?/gm, '');
  }

  it('--version', () => {
    const r = same(home, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^maestro-conductor\/\d+\.\d+\.\d+ linux-\w+ node-v\d+/);
    same(home, ['--version', 'ignored', '--json']);
  });

  it('whoami, local: every flag, human and JSON, and a bad token', () => {
    expect(same(home, ['whoami', '--json']).json().subject).toBeTruthy();
    expect(same(home, ['whoami']).stdout).toContain('tenant');
    expect(same(home, ['whoami', '-q']).stdout).toBe('');
    same(home, ['whoami', '--quiet', '--json']);
    same(home, ['whoami'], { FORCE_COLOR: '1' });
    const bad = same(home, ['whoami', '--json'], { MAESTRO_TOKEN: 'not-a-token' });
    expect(bad.code).toBe(4);
    expect(JSON.parse(bad.stderr).error.code).toBeTruthy();
    same(home, ['whoami'], { MAESTRO_TOKEN: 'not-a-token' });
  });

  it('whoami on a fresh state home: the auto-init note, then the same answer', () => {
    const a = tempHome('maestro-fast-init-');
    const b = tempHome('maestro-fast-init-');
    try {
      const fast = maestro(a.home, ['whoami', '--json']);
      const slow = maestro(b.home, ['whoami', '--json'], { MAESTRO_NO_FAST_PATH: '1' });
      expect(fast.code).toBe(slow.code);
      expect(fast.stderr.replace(a.home, 'HOME')).toBe(slow.stderr.replace(b.home, 'HOME'));
      expect(fast.stderr).toContain('created state home');
      expect(Object.keys(fast.json())).toEqual(Object.keys(slow.json()));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  it('status: latest, by id, --all, --explain, unknown id, no executions', () => {
    expect(same(home, ['status', '--json']).json().id).toBe(execId);
    same(home, ['status']);
    same(home, ['status', execId, '--explain']);
    same(home, ['status', execId, '--explain', '--json']);
    same(home, ['status', '--all']);
    same(home, ['status', '--all', '--json']);
    expect(same(home, ['status', 'ex_nope']).code).toBe(5);
    same(home, ['status', 'ex_nope', '--json']);
    expect(maestro(empty.home, ['init']).code).toBe(0);
    expect(same(empty.home, ['status', '--json']).code).toBe(5);
  });

  it('remote mode against a real maestro serve: MAESTRO_URL, --remote and --remote=', () => {
    const admin = readFileSync(join(server.home, 'token'), 'utf8').trim();
    const url = srv!.url;
    const w = same(empty.home, ['whoami', '--json'], { MAESTRO_URL: url, MAESTRO_TOKEN: admin });
    expect(w.code, w.stderr).toBe(0);
    expect(w.json().tenant).toBe('default');
    same(empty.home, ['whoami', '--remote', url], { MAESTRO_TOKEN: admin });
    same(empty.home, ['whoami', `--remote=${url}`, '--json'], { MAESTRO_TOKEN: admin });
    same(empty.home, ['status', '--json'], { MAESTRO_URL: url, MAESTRO_TOKEN: admin });
    same(empty.home, ['status', '--all', '--json'], { MAESTRO_URL: url, MAESTRO_TOKEN: admin });
    // No token: the 401 answer and its hint.
    expect(same(empty.home, ['whoami', '--json'], { MAESTRO_URL: url }).code).toBe(4);
    // Nothing listens there.
    expect(same(empty.home, ['whoami'], { MAESTRO_URL: 'http://127.0.0.1:9' }).code).not.toBe(0);
  });

  it('unbundled (MAESTRO_NO_BUNDLE=1) and without the code cache: the same bytes', () => {
    for (const args of [['whoami', '--json'], ['status', execId, '--explain'], ['status', 'ex_nope', '--json'], ['--version']]) {
      const a = maestro(home, args);
      for (const env of [{ MAESTRO_NO_BUNDLE: '1' }, { MAESTRO_NO_CODE_CACHE: '1' }]) {
        const b = maestro(home, args, env);
        expect([b.code, b.stdout, b.stderr], `${args.join(' ')} ${JSON.stringify(env)}`).toEqual([a.code, a.stdout, a.stderr]);
      }
    }
  });

  it('what the fast path hands over: help, typos, unknown and repeated flags', () => {
    for (const args of [
      ['whoami', '--help'],
      ['whoami', '-h'],
      ['whoami', '--bogus'],
      ['whoami', 'extra'],
      ['status', 'a', 'b'],
      ['status', '--remote'],
    ]) {
      const r = same(home, args);
      if (args.includes('--help') || args.includes('-h')) expect(r.code).toBe(0);
      else expect(r.code, args.join(' ')).toBe(2);
    }
    // oclif accepts a repeated boolean flag; the fast path leaves that to it.
    expect(same(home, ['whoami', '--json', '--json']).code).toBe(0);
  });
});

describe('the fast path does not load oclif', () => {
  const dir = mkdtempSync(join(tmpdir(), 'maestro-fast-trace-'));
  const { home, cleanup } = tempHome('maestro-fast-trace-home-');
  afterAll(() => {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every ES module URL the process resolves (a module.register resolve hook), for argv. */
  function modulesFor(args: string[], env: Record<string, string> = {}): string[] {
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      "import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(process.env.MC_TRACE, r.url + '\\n'); return r; }\n",
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const trace = join(dir, `trace-${args.join('_')}-${Object.keys(env).join('_')}.txt`);
    writeFileSync(trace, '');
    const r = maestro(home, args, { NODE_OPTIONS: `--import ${pathToFileURL(register).href}`, MC_TRACE: trace, ...env });
    expect(r.code, r.stderr).toBeLessThan(6);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  }

  it('whoami, status and --version resolve neither the oclif bundle nor @oclif/core; help does', () => {
    for (const args of [['whoami', '--json'], ['status'], ['--version']]) {
      const urls = modulesFor(args);
      expect(
        urls.some((u) => u.endsWith('/bin/run.js')),
        `${args.join(' ')}: the hook sees bin/run.js`,
      ).toBe(true);
      expect(
        urls.filter((u) => u.endsWith('/dist/bundle/main.js') || u.includes('@oclif')),
        args.join(' '),
      ).toEqual([]);
    }
    expect(modulesFor(['whoami', '--help']).some((u) => u.endsWith('/dist/bundle/main.js'))).toBe(true);
    // MAESTRO_NO_FAST_PATH=1 takes oclif's path.
    expect(modulesFor(['whoami', '--json'], { MAESTRO_NO_FAST_PATH: '1' }).some((u) => u.endsWith('/dist/bundle/main.js'))).toBe(true);
  });

  it('the fast bundle holds no oclif code', () => {
    const text = readFileSync(join(ROOT, 'dist', 'bundle', 'fast.cjs'), 'utf8');
    expect(text.startsWith('// maestro-bundle-sha256:')).toBe(true);
    expect(text).not.toContain('node_modules/@oclif/');
    expect(text).not.toMatch(/\bimport\(/);
    expect(BIN.endsWith('run.js')).toBe(true);
  });
});
