import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../src/policy/errors.js';
import { parseJsonText, stringifyJson } from '../../src/policy/json-text.js';
import { loadInputFile, loadPolicyPaths } from '../../src/policy/loader.js';

const fixtures = join(import.meta.dirname, '../../fixtures/policy');

function thrown(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('expected a PolicyError');
}

describe('loadPolicyPaths', () => {
  it('places data files at their directory path and ignores other files', () => {
    const out = loadPolicyPaths(['datadir'], { cwd: fixtures });
    expect(out.modules.map((m) => m.path)).toEqual(['datadir/policy.rego']);
    expect(out.data).toEqual({
      owner: 'platform',
      limits: { cpu: { small: 1, large: 8 }, regions: { eu: ['eu-west-1', 'eu-central-1'] } },
      tenants: { acme: { maxConcurrent: 5 }, big: 12345678901234567890n },
    });
    expect(out.dataFiles).not.toContain('datadir/README.txt');
  });

  it('merges a data file named directly at the root of data', () => {
    const out = loadPolicyPaths(['datadir/limits/data.json', 'basic/example.rego'], { cwd: fixtures });
    expect(out.data).toEqual({ cpu: { small: 1, large: 8 } });
    expect(out.modules).toHaveLength(1);
    expect(out.modules[0]!.text).toContain('package example');
  });

  it('loads prefix:path under data.prefix', () => {
    const out = loadPolicyPaths(['conf:datadir/limits/data.json'], { cwd: fixtures });
    expect(out.data).toEqual({ conf: { cpu: { small: 1, large: 8 } } });
  });

  it('reports a merge conflict naming both files', () => {
    const err = thrown(() => loadPolicyPaths(['conflict'], { cwd: fixtures }));
    expect(err.code).toBe('POLICY_DATA_CONFLICT');
    expect(err.message).toContain('data.limits.cpu');
    expect(err.message).toContain('conflict/one.json');
    expect(err.message).toContain('conflict/two.json');
    expect(err.exitCode).toBe(2);
  });

  it('merges disjoint objects from several files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loader-'));
    writeFileSync(join(dir, 'a.json'), '{"x": {"a": 1}}');
    writeFileSync(join(dir, 'b.yaml'), 'x:\n  b: 2\n');
    expect(loadPolicyPaths([dir]).data).toEqual({ x: { a: 1, b: 2 } });
  });

  it('names file:line:col for JSON syntax errors', () => {
    const err = thrown(() => loadPolicyPaths(['badjson'], { cwd: fixtures }));
    expect(err.code).toBe('POLICY_DATA_SYNTAX');
    expect(err.location).toEqual({ file: 'badjson/data.json', row: 3, col: 14 });
    expect(err.message).toMatch(/^badjson\/data\.json:3:14: invalid JSON/);
  });

  it('names file:line:col for YAML syntax errors', () => {
    const err = thrown(() => loadPolicyPaths(['yaml/bad.yaml'], { cwd: fixtures }));
    expect(err.code).toBe('POLICY_DATA_SYNTAX');
    expect(err.location?.file).toBe('yaml/bad.yaml');
    expect(err.location?.row).toBeGreaterThanOrEqual(2);
    expect(err.message).toMatch(/^yaml\/bad\.yaml:\d+:\d+: invalid YAML/);
  });

  it('rejects a missing path (exit 5) and a non-object root data file', () => {
    expect(thrown(() => loadPolicyPaths(['nope.rego'], { cwd: fixtures })).exitCode).toBe(5);
    const dir = mkdtempSync(join(tmpdir(), 'loader-'));
    writeFileSync(join(dir, 'list.json'), '[1, 2]');
    expect(thrown(() => loadPolicyPaths([join(dir, 'list.json')])).code).toBe('POLICY_DATA_NOT_OBJECT');
    // inside a sub-directory a non-object is fine: it lands at the directory path
    const root = mkdtempSync(join(tmpdir(), 'loader-'));
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'v.json'), '[1, 2]');
    expect(loadPolicyPaths([root]).data).toEqual({ sub: [1, 2] });
  });

  it('loads only modules when asked (opa check)', () => {
    const out = loadPolicyPaths(['conflict', 'datadir'], { cwd: fixtures, modulesOnly: true });
    expect(out.dataFiles).toEqual([]);
    expect(out.modules.map((m) => m.path)).toEqual(['datadir/policy.rego']);
  });
});

describe('loadPolicyPaths edge cases', () => {
  it('loads a file named twice only once, and survives symlink loops', () => {
    const out = loadPolicyPaths(['datadir', 'datadir/policy.rego', './datadir/limits/'], { cwd: fixtures });
    expect(out.modules).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'loader-'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', 'p.rego'), 'package p\n');
    symlinkSync(dir, join(dir, 'a', 'loop'));
    expect(loadPolicyPaths([dir]).modules.map((m) => m.path)).toEqual([join(dir, 'a', 'p.rego')]);
  });
});

describe('loadInputFile', () => {
  it('reads JSON and YAML input', () => {
    expect(loadInputFile('inputs/input.json', { cwd: fixtures })).toEqual({ user: { name: 'ann', role: 'viewer' }, action: 'run' });
    expect(loadInputFile('inputs/input.yaml', { cwd: fixtures })).toEqual({ user: { name: 'bob', role: 'operator' }, action: 'run' });
    expect(thrown(() => loadInputFile('missing.json', { cwd: fixtures })).code).toBe('POLICY_INPUT_NOT_FOUND');
  });
});

describe('json text', () => {
  it('keeps big integers exact both ways', () => {
    const v = parseJsonText('{"n": 123456789012345678901234567890, "f": 1.5, "s": 9007199254740991}', 'x.json');
    expect(v).toEqual({ n: 123456789012345678901234567890n, f: 1.5, s: 9007199254740991 });
    expect(stringifyJson(v)).toBe('{"n":123456789012345678901234567890,"f":1.5,"s":9007199254740991}');
  });

  it('rejects trailing garbage and bad escapes with positions', () => {
    expect(() => parseJsonText('{"a": 1} x', 'y.json')).toThrow(/y\.json:1:10/);
    expect(() => parseJsonText('"\\q"', 'y.json')).toThrow(/invalid escape/);
    expect(parseJsonText('{"__proto__": {"a": 1}}', 'p.json')).toHaveProperty('__proto__', { a: 1 });
  });
});
