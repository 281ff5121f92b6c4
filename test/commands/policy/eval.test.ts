import { describe, expect, it } from 'vitest';
import { json, maestro } from './helpers.js';

const opaShape = (value: unknown, text: string) => ({ result: [{ expressions: [{ value, text, location: { row: 1, col: 1 } }] }] });

describe('maestro policy eval --format json (the shape of opa eval)', () => {
  it('prints a defined value exactly as opa does', () => {
    const r = maestro(['policy', 'eval', '-d', 'basic/example.rego', '-i', 'inputs/input.json', '--format', 'json', 'data.example.allow']);
    expect(r.code).toBe(0);
    expect(json(r)).toEqual(opaShape(false, 'data.example.allow'));
    expect(r.stdout).toBe(`${JSON.stringify(opaShape(false, 'data.example.allow'), null, 2)}\n`);
  });

  it('serialises sets as sorted arrays', () => {
    const r = maestro(['policy', 'eval', '-d', 'basic/example.rego', '-f', 'json', 'data.example.roles']);
    expect(json(r)).toEqual(opaShape(['admin', 'operator', 'viewer'], 'data.example.roles'));
    const d = maestro(['policy', 'eval', '-d', 'basic/example.rego', '--input', 'inputs/input.json', '-f', 'json', 'data.example.deny']);
    expect(json(d)).toEqual(opaShape(['ann may not run'], 'data.example.deny'));
  });

  it('prints {} when the result is undefined', () => {
    const r = maestro(['policy', 'eval', '-d', 'basic/example.rego', '--format', 'json', 'data.example.nope']);
    expect(r.code).toBe(0);
    expect(json(r)).toEqual({});
  });

  it('adds bindings per result when the query has variables', () => {
    const r = maestro(['policy', 'eval', '--data', 'basic/example.rego', '--json', 'some x in data.example.roles']);
    const out = json(r);
    expect(out.result.map((x: { bindings: unknown }) => x.bindings)).toEqual([{ x: 'admin' }, { x: 'operator' }, { x: 'viewer' }]);
    expect(out.result[0].expressions[0].text).toBe('some x in data.example.roles');
  });

  it('accepts YAML input and the global --json flag', () => {
    const r = maestro(['policy', 'eval', '-d', 'basic', '-i', 'inputs/input.yaml', '--json', 'data.example.allow']);
    expect(json(r)).toEqual(opaShape(true, 'data.example.allow'));
  });

  it('loads -d directories with data at their directory paths', () => {
    const r = maestro(['policy', 'eval', '-d', 'datadir', '-f', 'json', 'data.limits']);
    expect(json(r).result[0].expressions[0].value).toEqual({ cpu: { small: 1, large: 8 }, regions: { eu: ['eu-west-1', 'eu-central-1'] } });
    expect(json(maestro(['policy', 'eval', '-d', 'datadir', '-f', 'json', 'data.lookup.large_cpu'])).result[0].expressions[0].value).toBe(8);
    expect(json(maestro(['policy', 'eval', '-d', 'datadir', '-f', 'json', 'data.owner'])).result[0].expressions[0].value).toBe('platform');
    const big = maestro(['policy', 'eval', '-d', 'datadir', '-f', 'json', 'data.tenants.big']);
    expect(big.stdout).toContain('"value": 12345678901234567890,');
  });

  it('prints errors as {"errors": [...]} and exits 2 for parse and compile errors', () => {
    const p = maestro(['policy', 'eval', '-d', 'basic/example.rego', '-f', 'json', 'data.example.allow ==']);
    expect(p.code).toBe(2);
    expect(json(p).errors[0].code).toBe('rego_parse_error');
    const c = maestro(['policy', 'eval', '-d', 'broken/unsafe.rego', '-f', 'json', 'data.unsafe.deny']);
    expect(c.code).toBe(2);
    const err = json(c).errors.find((e: { message: string }) => e.message === 'var y is unsafe');
    expect(err.code).toBe('rego_unsafe_var_error');
    expect(err.location).toMatchObject({ file: 'broken/unsafe.rego', row: 6 });
    expect(Object.keys(json(c))).toEqual(['errors']);
  });

  it('exits 1 with {"errors"} for evaluation errors', () => {
    const r = maestro(['policy', 'eval', '-d', 'tests/quota.rego', '-f', 'json', 'data.quota.conflicting with input as {"x": true}']);
    expect(r.code).toBe(1);
    const err = json(r).errors[0];
    expect(err.code).toBe('eval_conflict_error');
    expect(err.location.file).toBe('tests/quota.rego');
  });

  it('reports data merge conflicts (exit 2) and missing paths (exit 5) in the same shape', () => {
    const c = maestro(['policy', 'eval', '-d', 'conflict', '-f', 'json', 'data']);
    expect(c.code).toBe(2);
    expect(json(c).errors[0]).toMatchObject({ code: 'POLICY_DATA_CONFLICT' });
    expect(json(c).errors[0].message).toContain('conflict/one.json and conflict/two.json');
    const m = maestro(['policy', 'eval', '-d', 'missing.rego', '-f', 'json', 'data']);
    expect(m.code).toBe(5);
    expect(json(m).errors[0].code).toBe('POLICY_PATH_NOT_FOUND');
  });

  it('prints pretty output by default: the JSON value, or undefined', () => {
    const r = maestro(['policy', 'eval', '-d', 'datadir', 'data.limits.cpu']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{\n  "large": 8,\n  "small": 1\n}\n');
    expect(maestro(['policy', 'eval', '-d', 'datadir', 'data.limits.nope']).stdout).toBe('undefined\n');
    const e = maestro(['policy', 'eval', '-d', 'broken/unsafe.rego', 'data.unsafe.deny']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/^broken\/unsafe\.rego:6:\d+: rego_unsafe_var_error: /m);
  });

  it('reports a malformed input file with its line and column', () => {
    const r = maestro(['policy', 'eval', '-d', 'basic', '-i', 'badjson/data.json', '-f', 'json', 'data.example.allow']);
    expect(r.code).toBe(2);
    expect(json(r).errors[0]).toMatchObject({ code: 'POLICY_DATA_SYNTAX', location: { file: 'badjson/data.json', row: 3, col: 14 } });
  });

  it('--fail and --fail-defined set the exit status like opa eval', () => {
    expect(maestro(['policy', 'eval', '-d', 'basic', '--fail', 'data.example.nope']).code).toBe(1);
    expect(maestro(['policy', 'eval', '-d', 'basic', '--fail', 'data.example.roles']).code).toBe(0);
    expect(maestro(['policy', 'eval', '-d', 'basic', '--fail-defined', 'data.example.roles']).code).toBe(1);
    expect(maestro(['policy', 'eval', '-d', 'basic', '--fail-defined', 'data.example.nope']).code).toBe(0);
  });

  it('stops at --timeout with eval_limit_error (exit 1)', () => {
    const r = maestro([
      'policy',
      'eval',
      '--timeout',
      '50ms',
      '-f',
      'json',
      'count([x | some x in numbers.range(1, 1000000); some y in numbers.range(1, 100)])',
    ]);
    expect(r.code).toBe(1);
    expect(json(r).errors[0].code).toBe('eval_limit_error');
    expect(maestro(['policy', 'eval', '--timeout', 'soon', '1']).code).toBe(2);
  });

  it('reads input from stdin with -I', () => {
    const r = maestro(['policy', 'eval', '-d', 'basic', '-I', '-f', 'json', 'data.example.allow'], { stdin: '{"user": {"role": "admin"}}' });
    expect(json(r)).toEqual(opaShape(true, 'data.example.allow'));
  });

  it('--explain names the rules that produced the value, with locations', () => {
    const r = maestro(['policy', 'eval', '-d', 'basic', '-i', 'inputs/input.yaml', '-f', 'json', '--explain', 'data.example.allow']);
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out.result[0].expressions[0].value).toBe(true);
    expect(out.explanation.length).toBeGreaterThan(0);
    expect(out.explanation[0].location.file).toBe('basic/example.rego');
    expect(out.explanation[0].location.row).toBe(11);
    const h = maestro(['policy', 'eval', '-d', 'basic', '-i', 'inputs/input.yaml', '--explain', 'data.example.allow']);
    expect(h.stdout).toMatch(/^true\nexplanation:\n/);
    expect(h.stdout).toContain('basic/example.rego:11');
  });
});
