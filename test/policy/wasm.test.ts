import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/policy/errors.js';
import { createRegoEvaluator, openPackEvaluator } from '../../src/policy/evaluator.js';
import { readTarFiles } from '../../src/policy/wasm/tar.js';
import { loadWasmEvaluator, readWasmBundle } from '../../src/policy/wasm/wasm-evaluator.js';
import { noteSkip, opaBin } from './opa.js';

noteSkip('wasm.test');
const hasOpa = opaBin !== undefined;

const policy = `package example
import rego.v1
default allow := false
allow if input.user.role in data.roles.allowed
deny contains msg if { not allow; msg := sprintf("%s denied", [input.user.name]) }
`;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'wasm-'));
}

async function rejection(p: Promise<unknown>): Promise<PolicyError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('expected a PolicyError');
}

describe('bundle reading', () => {
  it('reads a tar.gz built by tar, with data.json at its directory path', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'b', 'roles'), { recursive: true });
    writeFileSync(join(dir, 'b', 'policy.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    writeFileSync(join(dir, 'b', 'data.json'), '{"top": 1}');
    writeFileSync(join(dir, 'b', 'roles', 'data.json'), '{"allowed": ["admin"]}');
    execFileSync('tar', ['-czf', join(dir, 'bundle.tar.gz'), '-C', join(dir, 'b'), '.']);
    const files = readTarFiles(readFileSync(join(dir, 'bundle.tar.gz')));
    expect([...files.keys()].sort()).toEqual(['data.json', 'policy.wasm', 'roles/data.json']);
    const bundle = readWasmBundle(join(dir, 'bundle.tar.gz'));
    expect(bundle.wasm.subarray(0, 4).toString('latin1')).toBe('\0asm');
    expect(bundle.data).toEqual({ top: 1, roles: { allowed: ['admin'] } });
  });

  it('reads long member names (GNU and PAX headers)', () => {
    const dir = tmp();
    const long = ['a'.repeat(60), 'b'.repeat(60), 'c'.repeat(30)];
    mkdirSync(join(dir, 'b', ...long), { recursive: true });
    writeFileSync(join(dir, 'b', ...long, 'data.json'), '{"deep": true}');
    for (const format of ['gnu', 'pax']) {
      const archive = join(dir, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', join(dir, 'b'), '.']);
      const files = readTarFiles(readFileSync(archive));
      expect(files.get(`${long.join('/')}/data.json`)?.toString()).toBe('{"deep": true}');
    }
  });

  it('rejects a bundle without policy.wasm, a non-tar file, and a wasm that is not an OPA policy', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'data.json'), '{}');
    execFileSync('tar', ['-czf', join(dir, 'bundle.tar.gz'), '-C', dir, 'data.json']);
    expect(() => readWasmBundle(join(dir, 'bundle.tar.gz'))).toThrow(/holds no \/policy\.wasm/);
    writeFileSync(join(dir, 'junk.tar.gz'), 'not a tarball at all, just text that is long enough to fill a header block'.repeat(10));
    expect(() => readWasmBundle(join(dir, 'junk.tar.gz'))).toThrow(PolicyError);
    writeFileSync(join(dir, 'policy.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const err = await rejection(loadWasmEvaluator(join(dir, 'policy.wasm')));
    expect(err.code).toBe('POLICY_WASM_INVALID');
    expect(err.exitCode).toBe(2);
  });

  it('chooses Wasm for a pack that ships policy.wasm, Rego otherwise', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'policy.rego'), policy);
    writeFileSync(join(dir, 'data.json'), '{"roles": {"allowed": ["admin"]}}');
    const rego = await openPackEvaluator(dir);
    expect(rego.engine).toBe('rego');
    expect(rego.evaluate('example/allow', { user: { role: 'admin' } })).toBe(true);
    writeFileSync(join(dir, 'policy.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect((await rejection(openPackEvaluator(dir))).code).toBe('POLICY_WASM_INVALID');
  });
});

describe('compiled OPA Wasm bundles (opa build -t wasm)', () => {
  it.skipIf(!hasOpa)('evaluates like the Rego engine behind the same interface', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'policy.rego'), policy);
    mkdirSync(join(dir, 'roles'));
    writeFileSync(join(dir, 'roles', 'data.json'), '{"allowed": ["admin", "operator"]}');
    execFileSync(opaBin!, [
      'build',
      '-t',
      'wasm',
      '-e',
      'example/allow',
      '-e',
      'example/deny',
      '-o',
      join(dir, 'bundle.tar.gz'),
      join(dir, 'policy.rego'),
      `roles:${join(dir, 'roles')}`,
    ]);
    const wasm = await loadWasmEvaluator(join(dir, 'bundle.tar.gz'));
    const rego = createRegoEvaluator([join(dir, 'policy.rego'), `roles:${join(dir, 'roles', 'data.json')}`]);
    expect(wasm.engine).toBe('wasm');
    expect(wasm.entrypoints()).toEqual(['example/allow', 'example/deny']);
    for (const input of [{ user: { name: 'ann', role: 'admin' } }, { user: { name: 'bob', role: 'viewer' } }, {}]) {
      for (const ep of ['example/allow', 'data.example.deny']) expect(wasm.evaluate(ep, input)).toEqual(rego.evaluate(ep, input));
    }
    expect(() => wasm.evaluate('example/nope', {})).toThrow(/no entrypoint example\/nope/);
    const opened = await openPackEvaluator(dir);
    expect(opened.engine).toBe('wasm');
  });
});
