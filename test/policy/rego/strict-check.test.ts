/**
 * `policy check --strict` really checks (issue 14): unused imports, unused arguments, unused
 * assigned and declared variables, duplicate imports and deprecated builtins, with the messages and
 * rows of `opa check --strict` (asked again when opa is available).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPolicies } from '../../../src/policy/check.js';
import { findOpa } from './parity/opa.js';

const here = import.meta.dirname;
const fixture = join(here, 'strict-check.fixture.rego');
const opa = findOpa();
if (!opa.bin) console.warn(`[strict check vs opa] OPA cross-check skipped: ${opa.reason}`);

/** OPA 1.22.3's `opa check --strict` findings for the fixture (row, code, message). */
const OPA_FINDINGS = [
  [3, 'rego_compile_error', 'import data.foo unused'],
  [4, 'rego_compile_error', 'import data.bar unused'],
  [5, 'rego_compile_error', 'import data.bar unused'],
  [5, 'rego_compile_error', 'import must not shadow import data.bar'],
  [6, 'rego_compile_error', 'import input.x unused'],
  [8, 'rego_compile_error', 'unused argument b. (hint: use _ (wildcard variable) instead)'],
  [11, 'rego_compile_error', 'assigned var x unused'],
  [22, 'rego_compile_error', 'declared var w unused'],
  [26, 'rego_type_error', 'deprecated built-in function calls in expression: any'],
];

const findings = (errors: Array<{ code: string; message: string; location?: { row: number } }>) => errors.map((e) => [e.location?.row, e.code, e.message]);

function opaCheck(paths: string[]): { code: number; findings: unknown[] } {
  const r = spawnSync(opa.bin!, ['check', '--strict', '--format', 'json', ...paths], { encoding: 'utf8', timeout: 30_000 });
  const text = r.stdout.trim() || r.stderr.trim(); // opa check prints its JSON report on stderr
  const out = text ? (JSON.parse(text) as { errors?: Array<{ code: string; message: string; location?: { row: number } }> }) : {};
  return { code: r.status ?? -1, findings: findings(out.errors ?? []) };
}

describe('policy check --strict', () => {
  it('reports what opa check --strict reports, in the same order and words', () => {
    const report = checkPolicies({ paths: [fixture], strict: true });
    expect(findings(report.errors)).toEqual(OPA_FINDINGS);
  });
  // OPA 1.x reports `some w` unused and deprecated builtins without --strict too (every module is v1
  // there); maestro reads modules without import rego.v1 as v0, where these are strict-only.
  it('without --strict, unused names are not errors (v0 reading of modules without rego.v1)', () => {
    const report = checkPolicies({ paths: [fixture] });
    expect(findings(report.errors)).toEqual([[5, 'rego_compile_error', 'import must not shadow import data.bar']]);
  });
  it('a clean module passes: used imports, used args, locals read later', () => {
    const report = checkPolicies({ paths: [join(here, '../../../policies/quota')], strict: true });
    expect(report.errors).toEqual([]);
  });
  it.skipIf(!opa.bin)(
    'the real opa gives the same findings on the fixture and on every shipped pack',
    () => {
      expect(opaCheck([fixture]).findings).toEqual(OPA_FINDINGS);
      const packs = join(here, '../../../policies');
      for (const p of readdirSync(packs)) {
        const ours = findings(checkPolicies({ paths: [join(packs, p)], strict: true }).errors);
        expect(ours, p).toEqual(opaCheck([join(packs, p)]).findings);
      }
    },
    60_000,
  );
});
