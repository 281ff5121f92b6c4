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
  // OPA 1.x reads every module as v1: `some w` unused and deprecated builtins are errors without
  // --strict too; read v0-compatibly (--v0-compatible) they are strict-only.
  const OPA_PLAIN = [
    [5, 'rego_compile_error', 'import must not shadow import data.bar'],
    [22, 'rego_compile_error', 'declared var w unused'],
    [26, 'rego_type_error', 'deprecated built-in function calls in expression: any'],
  ];
  it('without --strict, a v1 module still reports unused declared vars and deprecated builtins', () => {
    expect(findings(checkPolicies({ paths: [fixture] }).errors)).toEqual(OPA_PLAIN);
  });
  it('without --strict and read v0-compatibly, unused names are not errors', () => {
    const report = checkPolicies({ paths: [fixture], v0Compatible: true });
    expect(findings(report.errors)).toEqual([[5, 'rego_compile_error', 'import must not shadow import data.bar']]);
  });
  // (opa --v0-compatible refuses this fixture's `if` without `import future.keywords.if`; maestro's v0
  // reading accepts v1 keywords without the import, so only the default reading is compared)
  it.skipIf(!opa.bin)('as the real opa check answers without --strict', () => {
    const plain = (extra: string[]) => {
      const r = spawnSync(opa.bin!, ['check', '--format', 'json', ...extra, fixture], { encoding: 'utf8', timeout: 30_000 });
      return findings((JSON.parse(r.stdout.trim() || r.stderr.trim()) as { errors: [] }).errors);
    };
    expect(plain([])).toEqual(OPA_PLAIN);
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
