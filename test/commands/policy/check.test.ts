import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOpa } from '../../policy/rego/parity/opa.js';
import { json, maestro } from './helpers.js';

const opa = findOpa();

describe('maestro policy check', () => {
  it('prints parse errors as file:line:col: code: message and exits 1, as opa check', () => {
    const r = maestro(['policy', 'check', 'broken/parse.rego']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^broken\/parse\.rego:\d+:\d+: rego_parse_error: .+$/m);
    expect(r.stdout).toBe('');
  });

  it('prints compile errors with their location', () => {
    const r = maestro(['policy', 'check', 'broken/unsafe.rego', 'basic']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^broken\/unsafe\.rego:6:\d+: rego_unsafe_var_error: var y is unsafe$/m);
  });

  it('--json prints {"errors": [...]}', () => {
    const r = maestro(['policy', 'check', 'broken/unsafe.rego', '--json']);
    expect(r.code).toBe(1);
    const out = json(r);
    expect(Object.keys(out)).toEqual(['errors']);
    const unsafeY = out.errors.find((e: { message: string }) => e.message === 'var y is unsafe');
    expect(unsafeY).toMatchObject({ code: 'rego_unsafe_var_error', location: { file: 'broken/unsafe.rego', row: 6 } });
  });

  it('is silent on stdout and exits 0 when clean (data files are not checked)', () => {
    const r = maestro(['policy', 'check', 'basic', 'datadir', 'conflict', 'tests']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ok: 4 modules checked$/m);
    expect(json(maestro(['policy', 'check', 'basic', '--json']))).toEqual({ errors: [] });
    expect(json(maestro(['policy', 'check', 'basic', '-f', 'json']))).toEqual({ errors: [] });
  });

  describe('modules without `import rego.v1` are Rego v1, as in OPA 1.x; --v0-compatible reads them as v0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-v0-'));
    writeFileSync(join(dir, 'v0.rego'), 'package x\np { true }\nq[k] { k := "a" }\n');
    // (the future.keywords imports keep it valid v0 for opa --v0-compatible; maestro's v0 reading accepts if/contains without them)
    writeFileSync(join(dir, 'v1.rego'), 'package y\nimport future.keywords.contains\nimport future.keywords.if\np if { true }\nq contains k if { k := "a" }\n');
    const cases: Array<[string[], number]> = [
      [['check', 'v0.rego'], 1],
      [['check', '--v0-compatible', 'v0.rego'], 0],
      [['check', 'v1.rego'], 0],
      [['check', '--v0-compatible', 'v1.rego'], 0],
    ];
    it('policy check', () => {
      for (const [args, code] of cases) {
        const r = maestro(['policy', ...args], { cwd: dir });
        expect(r.code, args.join(' ')).toBe(code);
        if (code === 1) expect(r.stderr).toMatch(/^v0\.rego:2:3: rego_parse_error: `if` keyword is required before rule body$/m);
      }
    });
    it('policy eval and policy test read the same way', () => {
      expect(maestro(['policy', 'eval', '-d', 'v0.rego', 'data.x.p'], { cwd: dir }).code).toBe(2);
      expect(
        json(maestro(['policy', 'eval', '--v0-compatible', '-d', 'v0.rego', '--format', 'json', 'data.x.q'], { cwd: dir })).result[0].expressions[0].value,
      ).toEqual(['a']);
      expect(maestro(['policy', 'test', 'v0.rego'], { cwd: dir }).code).toBe(1);
      expect(maestro(['policy', 'test', '--v0-compatible', 'v0.rego'], { cwd: dir }).code).toBe(0);
    });
    it('policy fmt and policy build refuse a v0 module, as opa fmt (exit 2) and opa build do', () => {
      const fmt = maestro(['policy', 'fmt', 'v0.rego'], { cwd: dir });
      expect(fmt.code).toBe(2);
      expect(fmt.stderr).toMatch(/`if` keyword is required before rule body/);
      const build = maestro(['policy', 'build', 'v0.rego', '-o', join(dir, 'b.tar.gz')], { cwd: dir });
      expect(build.code).not.toBe(0);
      expect(build.stderr).toMatch(/`if` keyword is required before rule body/);
    });
    it.skipIf(!opa.bin)('as the real opa answers (exit codes of opa check)', () => {
      for (const [args, code] of cases) expect(spawnSync(opa.bin!, args, { cwd: dir }).status, `opa ${args.join(' ')}`).toBe(code);
      expect(spawnSync(opa.bin!, ['eval', '-d', 'v0.rego', 'data.x.p'], { cwd: dir }).status).toBe(2);
      expect(spawnSync(opa.bin!, ['test', 'v0.rego'], { cwd: dir }).status).toBe(1);
      expect(spawnSync(opa.bin!, ['test', '--v0-compatible', 'v0.rego'], { cwd: dir }).status).toBe(0);
      expect(spawnSync(opa.bin!, ['fmt', 'v0.rego'], { cwd: dir }).status).toBe(2);
      expect(spawnSync(opa.bin!, ['build', 'v0.rego', '-o', join(dir, 'o.tar.gz')], { cwd: dir }).status).not.toBe(0);
    });
  });

  it('exits 5 for a missing path', () => {
    expect(maestro(['policy', 'check', 'nope/']).code).toBe(5);
  });
});
