// OPA bundles: -b (directories, tar.gz, manifest roots, data at depth, signatures), `policy build`,
// and OPA-format signing, checked both ways against the real opa (test oracle only).
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../../src/core/context.js';
import { BundleError, buildBundle, buildPackBundle, loadBundles, readBundle, writeTarGz } from '../../../src/policy/bundle/index.js';
import { evalPolicy, runPolicyTestsWithBundles } from '../../../src/policy/index.js';
import { annotationsOf, listPackDirs, readPack } from '../../../src/policy/packs/index.js';
import { readTarFiles } from '../../../src/policy/wasm/tar.js';
import { maestro, noteSkip, opa, opaBin, repoRoot } from '../opa.js';

noteSkip('bundle.test');
const hasOpa = opaBin !== undefined;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'mc-bundle-'));
}

async function thrown(p: Promise<unknown>): Promise<BundleError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof BundleError) return err;
    throw err;
  }
  throw new Error('expected a BundleError');
}

const POLICY = `package app.authz
import rego.v1
default allow := false
allow if input.user in data.app.users.admins
limits := data.app.limits
`;

/** A bundle directory: manifest, policy, data.json and data.yaml at depth. */
function bundleDir(root: string, manifest: unknown = { revision: 'r7', roots: ['app'] }): string {
  const dir = join(root, 'bdir');
  mkdirSync(join(dir, 'app', 'users'), { recursive: true });
  mkdirSync(join(dir, 'app', 'limits'), { recursive: true });
  writeFileSync(join(dir, 'app', 'authz.rego'), POLICY);
  writeFileSync(join(dir, 'app', 'users', 'data.json'), '{"admins": ["ann", "bob"]}');
  writeFileSync(join(dir, 'app', 'limits', 'data.yaml'), 'max: 3\nbig: 12345678901234567890\n');
  writeFileSync(join(dir, 'app', 'README.md'), 'not loaded');
  if (manifest !== undefined) writeFileSync(join(dir, '.manifest'), JSON.stringify(manifest));
  return dir;
}

const keys = {
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ec: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
};
function pemFiles(dir: string, kind: 'rsa' | 'ec'): { priv: string; pub: string } {
  const priv = join(dir, `${kind}.pem`);
  const pub = join(dir, `${kind}.pub.pem`);
  writeFileSync(priv, keys[kind].privateKey.export({ type: kind === 'rsa' ? 'pkcs1' : 'sec1', format: 'pem' }));
  writeFileSync(pub, keys[kind].publicKey.export({ type: 'spki', format: 'pem' }));
  return { priv, pub };
}

describe('reading bundles (-b)', () => {
  it('loads a directory bundle: data.json/data.yaml at their directory path, manifest revision and roots, other files ignored', async () => {
    const dir = bundleDir(tmp());
    const b = await readBundle(dir);
    expect(b.manifest).toMatchObject({ revision: 'r7', roots: ['app'] });
    expect(b.modules.map((m) => m.path)).toEqual([join(dir, 'app/authz.rego')]);
    expect(b.data).toEqual({ app: { users: { admins: ['ann', 'bob'] }, limits: { max: 3, big: 12345678901234567890n } } });
    const r = await evalPolicy({ query: 'data.app.authz.allow', dataPaths: [], bundlePaths: [dir], input: { user: 'bob' } });
    expect(r.output.result?.[0]?.expressions[0]?.value).toBe(true);
  });

  it('loads a tar.gz bundle the same as its directory', async () => {
    const root = tmp();
    const dir = bundleDir(root);
    execFileSync('tar', ['-czf', join(root, 'b.tar.gz'), '-C', dir, '.']);
    const fromTar = await readBundle(join(root, 'b.tar.gz'));
    expect(fromTar.data).toEqual((await readBundle(dir)).data);
    expect(fromTar.modules[0]?.path).toBe(`${join(root, 'b.tar.gz')}:/app/authz.rego`);
  });

  it('refuses overlapping roots in one manifest and across bundles, and data or packages outside the roots', async () => {
    const root = tmp();
    const a = bundleDir(join(root, 'a') && mkdtempSync(join(root, 'a-')), { roots: ['app', 'app/users'] });
    expect((await thrown(readBundle(a))).message).toMatch(/manifest has overlapped roots: 'app' and 'app\/users'/);
    const b1 = bundleDir(mkdtempSync(join(root, 'b1-')), { roots: ['app'] });
    const b2 = mkdtempSync(join(root, 'b2-'));
    mkdirSync(join(b2, 'app', 'limits'), { recursive: true });
    writeFileSync(join(b2, 'app', 'limits', 'data.json'), '{"max": 9}');
    writeFileSync(join(b2, '.manifest'), JSON.stringify({ roots: ['app/limits', 'other'] }));
    const err = await thrown(loadBundles([b1, b2]));
    expect(err.code).toBe('BUNDLE_ROOTS_OVERLAP');
    expect(err.message).toContain('app overlaps app/limits');
    const c = bundleDir(mkdtempSync(join(root, 'c-')), { roots: ['app/authz', 'app/users'] });
    expect((await thrown(readBundle(c))).message).toMatch(/manifest roots \[app\/authz app\/users\] do not permit data at path '\/app\/limits\/big'/);
    const d = bundleDir(mkdtempSync(join(root, 'd-')), { roots: ['app/users', 'app/limits'] });
    expect((await thrown(readBundle(d))).message).toMatch(/do not permit 'package app.authz' in module/);
    const bare1 = mkdtempSync(join(root, 'bare1-'));
    const bare2 = mkdtempSync(join(root, 'bare2-'));
    const bare = await thrown(loadBundles([bare1, bare2]));
    expect(bare.message).toContain("specify empty root paths ('') which overlap with any other bundle root");
    const r = await evalPolicy({ query: 'data', dataPaths: [], bundlePaths: [b1, b2] });
    expect(r.exitCode).toBe(2);
    expect(r.output.errors?.[0]?.code).toBe('BUNDLE_ROOTS_OVERLAP');
  });

  it.skipIf(!hasOpa)('the real opa refuses the same bad bundles', () => {
    const root = tmp();
    const a = bundleDir(mkdtempSync(join(root, 'a-')), { roots: ['app', 'app/users'] });
    expect(opa(['eval', '-b', a, 'data']).stdout).toContain("manifest has overlapped roots: 'app' and 'app/users'");
    const c = bundleDir(mkdtempSync(join(root, 'c-')), { roots: ['app/authz', 'app/users'] });
    expect(opa(['eval', '-b', c, 'data']).stdout).toMatch(/do not permit data at path '\/app\/limits\/(big|max)'/);
  });

  it('names the file of a bad data file, a bad manifest, a missing bundle and a non-tar file', async () => {
    const root = tmp();
    const dir = bundleDir(root);
    writeFileSync(join(dir, 'app', 'users', 'data.json'), '{"admins": [}');
    const r = await evalPolicy({ query: 'data', dataPaths: [], bundlePaths: [dir] });
    expect(r.output.errors?.[0]?.location?.file).toBe(join(dir, 'app/users/data.json'));
    writeFileSync(join(dir, 'app', 'users', 'data.json'), '{}');
    writeFileSync(join(dir, '.manifest'), '{"roots": "app"}');
    expect((await thrown(readBundle(dir))).message).toMatch(/\.manifest: "roots" must be an array of strings/);
    const missing = await thrown(readBundle(join(root, 'nope.tar.gz')));
    expect([missing.code, missing.exitCode]).toEqual(['BUNDLE_NOT_FOUND', 5]);
    writeFileSync(join(root, 'junk.tar.gz'), 'x'.repeat(2000));
    const r2 = await evalPolicy({ query: 'data', dataPaths: [], bundlePaths: [join(root, 'junk.tar.gz')] });
    expect(r2.output.errors?.[0]?.message).toContain('junk.tar.gz: not a tar archive');
  });

  it('stops at the file-count bound', async () => {
    const dir = join(tmp(), 'many');
    mkdirSync(dir);
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, `f${i}.txt`), '');
    expect((await thrown(readBundle(dir, { maxFiles: 10 }))).code).toBe('BUNDLE_TOO_LARGE');
    expect((await readBundle(dir, { maxFiles: 12 })).files).toHaveLength(12);
  });
});

describe('policy build', () => {
  let root: string;
  beforeAll(() => {
    root = tmp();
  });

  it('writes /data.json, the modules under their paths and /.manifest; deterministic bytes', async () => {
    const dir = bundleDir(root, undefined);
    const out = join(root, 'built.tar.gz');
    const report = await buildBundle({ paths: [dir], output: out, revision: 'v1', roots: ['app'] });
    expect(report.files.map((f) => f.name)).toEqual(['/data.json', `/${dir.slice(1)}/app/authz.rego`, '/.manifest']);
    const files = readTarFiles(readFileSync(out));
    expect(JSON.parse(files.get('.manifest')!.toString())).toEqual({ revision: 'v1', roots: ['app'], rego_version: 1 });
    expect(files.get('data.json')!.toString()).toBe('{"app":{"limits":{"big":12345678901234567890,"max":3},"users":{"admins":["ann","bob"]}}}');
    const again = join(root, 'again.tar.gz');
    await buildBundle({ paths: [dir], output: again, revision: 'v1', roots: ['app'] });
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
  });

  it('refuses to package a policy that does not compile, and writes nothing', async () => {
    const dir = join(root, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'p.rego'), 'package p\nallow if {\n');
    await expect(buildBundle({ paths: [dir], output: join(root, 'broken.tar.gz') })).rejects.toThrow(/rego_parse_error|p\.rego/);
    expect(spawnSync('test', ['-e', join(root, 'broken.tar.gz')]).status).toBe(1);
  });

  it.skipIf(!hasOpa)('opa eval -b loads what policy build wrote, with the same results as maestro', async () => {
    const dir = bundleDir(mkdtempSync(join(root, 'e-')), undefined);
    const out = join(root, 'eval.tar.gz');
    await buildBundle({ paths: [dir], output: out, roots: ['app'] });
    for (const input of [{ user: 'ann' }, { user: 'zed' }, {}]) {
      for (const q of ['data.app.authz.allow', 'data.app.authz.limits', 'data.app']) {
        const theirs = opa(['eval', '-b', out, '--stdin-input', '--format', 'json', q], { input: JSON.stringify(input) });
        expect(theirs.status, theirs.stderr).toBe(0);
        const ours = await evalPolicy({ query: q, dataPaths: [], bundlePaths: [out], input });
        expect(ours.output.result?.map((r) => r.expressions.map((e) => e.value))).toEqual(
          (JSON.parse(theirs.stdout.replace(/12345678901234567890/g, '"BIG"')) as { result: Array<{ expressions: Array<{ value: unknown }> }> }).result.map(
            (r) =>
              r.expressions.map((e) =>
                JSON.parse(JSON.stringify(e.value).replace(/"BIG"/g, '"12345678901234567890"'), (_k, v: unknown) =>
                  v === '12345678901234567890' ? 12345678901234567890n : v,
                ),
              ),
          ),
        );
      }
    }
  });
});

describe('OPA-format signatures', () => {
  for (const [alg, kind] of [
    ['RS256', 'rsa'],
    ['ES256', 'ec'],
    ['HS256', 'hmac'],
  ] as const) {
    it.skipIf(!hasOpa)(`${alg}: opa verifies what maestro signed; maestro verifies what opa signed; both refuse tampering`, async () => {
      const root = tmp();
      const dir = bundleDir(root);
      const k = kind === 'hmac' ? { priv: 's3cret-shared', pub: 's3cret-shared' } : pemFiles(root, kind);
      const ours = join(root, 'ours.tar.gz');
      await buildBundle({ paths: [], bundles: [dir], output: ours, signing: { key: k.priv, alg } });
      const ok = opa(['build', '-b', ours, '--verification-key', k.pub, '--signing-alg', alg, '-o', join(root, 'o1.tar.gz')]);
      expect(ok.status, ok.stderr).toBe(0);
      // opa signs, maestro verifies
      const theirs = join(root, 'theirs.tar.gz');
      const signed = opa(['build', '-b', dir, '--signing-key', k.priv, '--signing-alg', alg, '-o', theirs]);
      expect(signed.status, signed.stderr).toBe(0);
      const b = await readBundle(theirs, { verification: { key: k.pub, alg } });
      expect(b.verified).toBe(true);
      // tamper: change data.json inside each archive
      for (const file of [ours, theirs]) {
        const files = readTarFiles(readFileSync(file));
        const entries = [...files].map(([name, data]) => ({
          name: `/${name}`,
          data: name.endsWith('users/data.json') || name === 'data.json' ? Buffer.from(data.toString().replace('ann', 'eve')) : data,
        }));
        const bad = join(root, `bad-${entries.length}-${file.endsWith('ours.tar.gz') ? 'o' : 't'}.tar.gz`);
        writeFileSync(bad, writeTarGz(entries));
        const err = await thrown(readBundle(bad, { verification: { key: k.pub, alg } }));
        expect([err.code, err.exitCode]).toEqual(['BUNDLE_SIGNATURE_INVALID', 4]);
        expect(err.message).toMatch(/data\.json: digest mismatch/);
        expect(opa(['build', '-b', bad, '--verification-key', k.pub, '--signing-alg', alg, '-o', join(root, 'o2.tar.gz')]).stdout).toContain('digest mismatch');
      }
    });
  }

  it('refuses a wrong key, a missing signature, an extra file and a file missing from the bundle', async () => {
    const root = tmp();
    const dir = bundleDir(root);
    const k = pemFiles(root, 'rsa');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const out = join(root, 'b.tar.gz');
    const report = await buildBundle({ paths: [], bundles: [dir], output: out, signing: { key: k.priv } });
    expect(report.signatures.map((s) => s.name)).toEqual(['app/authz.rego', 'data.json', '.manifest']);
    expect((await thrown(readBundle(out, { verification: { key: other } }))).message).toMatch(/failed to verify JWT signature/);
    expect((await thrown(readBundle(dir, { verification: { key: k.pub } }))).message).toMatch(/bundle missing \.signatures\.json file/);
    expect((await thrown(readBundle(out, { verification: { key: k.pub, scope: 'prod' } }))).message).toMatch(/scope mismatch/);
    const files = readTarFiles(readFileSync(out));
    const extra = [...files].map(([name, data]) => ({ name: `/${name}`, data }));
    writeFileSync(join(root, 'extra.tar.gz'), writeTarGz([...extra, { name: '/app/evil.rego', data: Buffer.from('package app.evil\nx := 1\n') }]));
    expect((await thrown(readBundle(join(root, 'extra.tar.gz'), { verification: { key: k.pub } }))).message).toMatch(
      /file app\/evil\.rego not included in bundle signature/,
    );
    writeFileSync(join(root, 'less.tar.gz'), writeTarGz(extra.filter((e) => !e.name.endsWith('.rego'))));
    expect((await thrown(readBundle(join(root, 'less.tar.gz'), { verification: { key: k.pub } }))).message).toMatch(
      /\[app\/authz\.rego\] specified in bundle signatures but not found/,
    );
    const t = await runPolicyTestsWithBundles({ paths: [], bundlePaths: [out], verification: { key: k.pub } });
    expect(t.counts.total).toBe(0);
  });
});

describe('catalog packs as signed OPA bundles', () => {
  const ctx = createContext({ env: { MAESTRO_HOME: '/nonexistent-maestro-home' }, cwd: repoRoot });
  it.skipIf(!hasOpa)('every shipped pack exports as a signed bundle that opa verifies and decides like maestro on its examples', async () => {
    const root = tmp();
    const k = pemFiles(root, 'ec');
    for (const found of listPackDirs(ctx).filter((p) => p.origin === 'shipped')) {
      const pack = readPack(found.dir, found.origin, repoRoot);
      const out = join(root, `${pack.meta.id}.tar.gz`);
      const report = await buildPackBundle(ctx, pack.meta.id, { output: out, signing: { key: k.priv, alg: 'ES256' } });
      expect(report.revision).toBe(pack.meta.version);
      const b = await readBundle(out, { verification: { key: k.pub, alg: 'ES256' } });
      expect((b.manifest.metadata as { maestro_pack: { id: string } }).maestro_pack.id).toBe(pack.meta.id);
      const v = opa(['build', '-b', out, '--verification-key', k.pub, '--signing-alg', 'ES256', '-o', join(root, 'v.tar.gz')]);
      expect(v.status, v.stderr).toBe(0);
      const tests = opa(['test', '-b', out, '--format', 'json']);
      expect(tests.status, tests.stdout).toBe(0);
      const query = `data.${pack.meta.package}.deny`;
      for (const ex of annotationsOf(pack).examples.filter((e) => e.data === undefined)) {
        const theirs = opa(['eval', '-b', out, '--stdin-input', '--format', 'json', query], { input: JSON.stringify(ex.input) });
        const ours = await evalPolicy({ query, dataPaths: [], bundlePaths: [out], input: ex.input });
        const value = (JSON.parse(theirs.stdout) as { result?: Array<{ expressions: Array<{ value: unknown }> }> }).result?.[0]?.expressions[0]?.value;
        expect(ours.output.result?.[0]?.expressions[0]?.value, `${pack.meta.id} ${JSON.stringify(ex.input)}`).toEqual(value);
      }
    }
  });

  it('the CLI: policy build --pack, then policy eval -b and policy test -b with --verification-key', () => {
    const root = tmp();
    const k = pemFiles(root, 'rsa');
    const home = tmp();
    const out = join(root, 'quota.tar.gz');
    const built = maestro(['policy', 'build', '--pack', 'quota', '-o', out, '--signing-key', k.priv, '--json'], { home });
    expect(built.status, built.stderr).toBe(0);
    expect(JSON.parse(built.stdout)).toMatchObject({ signed: true, roots: ['maestro/quota', 'maestro/quota_test'] });
    const input = '{"action":"run","tenant":{"name":"acme","quota":{"maxConcurrent":2,"inUse":2,"active":["a","b"]}}}';
    const ev = maestro(['policy', 'eval', '-b', out, '--verification-key', k.pub, '-I', '--format', 'json', 'count(data.maestro.quota.deny)'], { home, input });
    expect(ev.status, ev.stderr).toBe(0);
    expect(JSON.parse(ev.stdout).result[0].expressions[0].value).toBe(1);
    const t = maestro(['policy', 'test', '-b', out, '--verification-key', k.pub], { home });
    expect(t.status, t.stdout + t.stderr).toBe(0);
    expect(t.stdout).toMatch(/PASS: \d+\/\d+/);
    const other = join(root, 'other.pub.pem');
    writeFileSync(other, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }));
    const bad = maestro(['policy', 'eval', '-b', out, '--verification-key', other, 'data'], { home });
    expect(bad.status).toBe(4);
    expect(bad.stderr).toContain('bundle signature verification failed');
  });
});

describe('canonical hashing of structured files (OPA-compatible)', () => {
  it.skipIf(!hasOpa)('tricky data (unicode, escapes, number spellings, big integers, duplicate keys, YAML) verifies both ways', async () => {
    const root = tmp();
    const dir = join(root, 'b');
    mkdirSync(join(dir, 'x', 'y'), { recursive: true });
    writeFileSync(
      join(dir, 'x', 'data.json'),
      '{"z": 1, "a": {"é": "caf\\u00e9 \\"q\\" \\\\ \\n\\t\\b\\f \\u2028 <&>", "😀": [2.50, 1e3, -0, 123456789012345678901234567890]}, "dup": 1, "dup": 2, "": null}',
    );
    writeFileSync(join(dir, 'x', 'y', 'data.yaml'), 'list: [1, 2.5, "s"]\nmap:\n  b: true\n  a: ~\n');
    writeFileSync(join(dir, 'p.rego'), 'package x\nimport rego.v1\nn := count(data.x.a["😀"])\n');
    const k = pemFiles(root, 'rsa');
    const theirs = join(root, 'theirs.tar.gz');
    const signed = opa(['build', '-b', dir, '--signing-key', k.priv, '-o', theirs]);
    expect(signed.status, signed.stdout + signed.stderr).toBe(0);
    await expect(readBundle(theirs, { verification: { key: k.pub } })).resolves.toMatchObject({ verified: true });
    const ours = join(root, 'ours.tar.gz');
    await buildBundle({ paths: [], bundles: [dir], output: ours, signing: { key: k.priv } });
    const v = opa(['build', '-b', ours, '--verification-key', k.pub, '-o', join(root, 'v.tar.gz')]);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    const r = await evalPolicy({ query: 'data.x.n', dataPaths: [], bundlePaths: [ours], verification: { key: k.pub } });
    expect(r.output.result?.[0]?.expressions[0]?.value).toBe(4);
  });
});
