/** `policy eval --max-input-bytes`: an oversized input is refused before it is parsed (issue 16 item 5). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_INPUT_BYTES, evalPolicyQuery } from '../../../src/policy/index.js';
import { maestro, tempHome } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'input-limit-'));
const { home, cleanup } = tempHome();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanup();
});
writeFileSync(join(dir, 'p.rego'), 'package t\nn := count(input.s)\n');
const input = join(dir, 'in.json');
writeFileSync(input, JSON.stringify({ s: 'x'.repeat(5000) }));

describe('policy eval input size limit', () => {
  it('refuses an input file over the limit with POLICY_INPUT_TOO_LARGE (exit 2), naming the flag', () => {
    const r = maestro(home, ['policy', 'eval', '-d', join(dir, 'p.rego'), '-i', input, '--max-input-bytes', '1000', '--format', 'json', 'data.t.n']);
    expect(r.code).toBe(2);
    expect(r.json().errors[0]).toMatchObject({ code: 'POLICY_INPUT_TOO_LARGE' });
    expect(r.json().errors[0].message).toMatch(/larger than the limit of 1000 bytes \(5008 bytes\)/);
  });
  it('refuses stdin over the limit without reading all of it', () => {
    const r = maestro(
      home,
      ['policy', 'eval', '-d', join(dir, 'p.rego'), '-I', '--max-input-bytes', '1000', 'data.t.n'],
      {},
      JSON.stringify({ s: 'y'.repeat(50_000) }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/input <stdin> is larger than the limit of 1000 bytes/);
    expect(r.stderr).toMatch(/--max-input-bytes/);
  });
  it('accepts the same input under a higher limit, and by default', () => {
    const r = maestro(home, ['policy', 'eval', '-d', join(dir, 'p.rego'), '-i', input, '--max-input-bytes', '6000', '--format', 'json', 'data.t.n']);
    expect(r.code).toBe(0);
    expect(r.json().result[0].expressions[0].value).toBe(5000);
    const report = evalPolicyQuery({ query: 'data.t.n', dataPaths: [join(dir, 'p.rego')], inputPath: input });
    expect(report.output.result?.[0]?.expressions[0]?.value).toBe(5000);
  });
  it('the default limit is 32 MiB', () => {
    expect(DEFAULT_MAX_INPUT_BYTES).toBe(32 * 1024 * 1024);
    const report = evalPolicyQuery({ query: 'data.t.n', dataPaths: [join(dir, 'p.rego')], inputPath: input, maxInputBytes: 100 });
    expect(report.exitCode).toBe(2);
    expect(report.output.errors?.[0]?.code).toBe('POLICY_INPUT_TOO_LARGE');
  });
});
