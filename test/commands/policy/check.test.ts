import { describe, expect, it } from 'vitest';
import { json, maestro } from './helpers.js';

describe('maestro policy check', () => {
  it('prints parse errors as file:line:col: code: message and exits 2', () => {
    const r = maestro(['policy', 'check', 'broken/parse.rego']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^broken\/parse\.rego:\d+:\d+: rego_parse_error: .+$/m);
    expect(r.stdout).toBe('');
  });

  it('prints compile errors with their location', () => {
    const r = maestro(['policy', 'check', 'broken/unsafe.rego', 'basic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^broken\/unsafe\.rego:6:\d+: rego_unsafe_var_error: var y is unsafe$/m);
  });

  it('--json prints {"errors": [...]}', () => {
    const r = maestro(['policy', 'check', 'broken/unsafe.rego', '--json']);
    expect(r.code).toBe(2);
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

  it('exits 5 for a missing path', () => {
    expect(maestro(['policy', 'check', 'nope/']).code).toBe(5);
  });
});
