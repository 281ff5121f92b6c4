/**
 * The CI formats: JUnit XML parses and has the common shape, SARIF validates against the official
 * SARIF 2.1.0 schema (shipped in @microsoft/jest-sarif), GitHub lines follow the workflow-command syntax.
 * Unit cases on the writers, then the real CLI on each command that offers --format.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv from 'ajv';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { type CaseReport, escapeData, escapeProperty, writeGitHub, writeJUnit, writeSarif } from '../../src/cli/formats/index.js';
import { maestro, tempHome } from '../helpers/cli.js';

const require = createRequire(import.meta.url);

/** The official SARIF 2.1.0 (rtm.5) schema is draft-04: `id` becomes `$id` for ajv 8. */
function sarifValidator() {
  const schema = structuredClone(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json')) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
  return ajv.compile(schema);
}
const validateSarif = sarifValidator();

/** Every line is a workflow command `::cmd k=v,k=v::data` with escaped properties and data. */
const GH_LINE =
  /^::(error|warning|notice)(?: ((?:file|line|col|endLine|endColumn|title)=[^,:\r\n]*(?:,(?:file|line|col|endLine|endColumn|title)=[^,:\r\n]*)*))?::[^\r\n]*$/;

function parseJUnit(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['testsuite', 'testcase'].includes(n) }).parse(xml);
  const root = doc.testsuites;
  expect(root).toBeDefined();
  // The common JUnit shape: counts on <testsuites> and each <testsuite>, name/classname/time on <testcase>.
  for (const k of ['tests', 'failures', 'errors', 'skipped', 'time']) expect(root[k], k).toMatch(/^\d+(\.\d+)?$/);
  let total = 0;
  for (const s of root.testsuite) {
    for (const k of ['name', 'tests', 'failures', 'errors', 'skipped', 'time']) expect(s[k], k).toBeDefined();
    expect(Number(s.tests)).toBe(s.testcase.length);
    expect(Number(s.failures)).toBe(s.testcase.filter((c: { failure: unknown }) => c.failure !== undefined).length);
    for (const c of s.testcase) {
      expect(typeof c.name).toBe('string');
      expect(typeof c.classname).toBe('string');
      expect(c.time).toMatch(/^\d+\.\d{3}$/);
    }
    total += s.testcase.length;
  }
  expect(Number(root.tests)).toBe(total);
  return root;
}

const sample: CaseReport = {
  tool: 'maestro test',
  cases: [
    { suite: 'data.a', name: 'test_ok', status: 'pass', ruleId: 'policy-test', file: 'a.rego', line: 3, durationSec: 0.001 },
    { suite: 'data.a', name: 'test_bad <&>"', status: 'fail', ruleId: 'policy-test', message: 'nope: 50%, a\nb\r', file: 'dir,x/a:b.rego', line: 9, column: 2 },
    { suite: 'data.b', name: 'test_err', status: 'error', ruleId: 'eval_conflict_error', message: 'conflict', detail: 'line1\nline2' },
    { suite: 'data.b', name: 'todo_test_x', status: 'skip', ruleId: 'policy-test', message: 'todo' },
    { suite: 'data.b', name: 'w', status: 'warn', ruleId: 'pack/warn', message: 'careful\u0001' },
  ],
};

describe('writers', () => {
  it('JUnit: parses, counts add up, escapes markup and drops control characters', () => {
    const xml = writeJUnit(sample);
    const root = parseJUnit(xml);
    expect(root.tests).toBe('5');
    expect(root.failures).toBe('1');
    expect(root.errors).toBe('1');
    expect(root.skipped).toBe('1');
    const bad = root.testsuite[0].testcase[1];
    expect(bad.name).toBe('test_bad <&>"');
    expect(bad.failure.message).toBe('nope: 50%, a b');
    expect(bad.failure['#text']).toBe('dir,x/a:b.rego:9:2: nope: 50%, a\nb');
    expect(bad.file).toBe('dir,x/a:b.rego');
    expect(bad.line).toBe('9');
    expect(xml).not.toContain('\u0001');
  });

  it('GitHub: escapes %, CR, LF in data and also : and , in properties', () => {
    expect(escapeData('50% a\r\nb')).toBe('50%25 a%0D%0Ab');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    const lines = writeGitHub(sample).trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(GH_LINE);
    expect(lines).toHaveLength(4); // fail, error, warn, notice summary
    expect(lines[0]).toBe(
      '::error file=dir%2Cx/a%3Ab.rego,line=9,col=2,title=policy-test%3A test_bad <&>"::nope%3A 50%25, a%0Ab%0D'.replace('nope%3A', 'nope:'),
    );
    expect(lines[1]).toMatch(/^::error title=eval_conflict_error%3A test_err::conflict%0Aline1%0Aline2$/);
    expect(lines[2]).toMatch(/^::warning /);
    expect(lines[3]).toMatch(/^::notice title=maestro test::5 checked: 1 passed, 1 failed, 1 errors, 1 warnings, 1 skipped$/);
  });

  it('SARIF: validates against the 2.1.0 schema; results for findings only, with regions', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the SARIF log, parsed JSON navigated freely by the assertions (a wrong path fails the test)
    const log = writeSarif(sample, '0.1.0') as any;
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(log.version).toBe('2.1.0');
    const results = log.runs[0].results;
    expect(results.map((r: { level: unknown }) => r.level)).toEqual(['error', 'error', 'warning']);
    expect(results[0].locations[0].physicalLocation.region).toEqual({ startLine: 9, startColumn: 2 });
    expect(results[1].locations).toEqual([]);
    // The validator is real: a broken log is refused.
    expect(validateSarif({ ...log, version: '2.0.0' })).toBe(false);
    expect(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });
});

describe('the CLI', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);

  it('manifest validate: each format, with file:line of every diagnostic', () => {
    const file = 'fixtures/manifests/invalid/cycle.yaml';
    const junit = maestro(home, ['manifest', 'validate', file, '--format', 'junit']);
    expect(junit.code).toBe(2);
    const root = parseJUnit(junit.stdout);
    expect(Number(root.failures)).toBeGreaterThan(0);
    expect(root.testsuite[0].testcase[0].file).toBe(file);
    expect(Number(root.testsuite[0].testcase[0].line)).toBeGreaterThan(0);

    const gh = maestro(home, ['manifest', 'validate', file, '--format', 'github']);
    expect(gh.code).toBe(2);
    const lines = gh.stdout.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(GH_LINE);
    expect(lines[0]).toMatch(/^::error file=fixtures\/manifests\/invalid\/cycle\.yaml,line=\d+,col=\d+,title=/);

    const sarif = maestro(home, ['manifest', 'validate', file, '--format', 'sarif']);
    expect(sarif.code).toBe(2);
    const log = sarif.json();
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe(file);

    const ok = maestro(home, ['manifest', 'validate', 'fixtures/manifests/hello.yaml', '--format', 'junit']);
    expect(ok.code).toBe(0);
    expect(parseJUnit(ok.stdout).failures).toBe('0');
  });

  it('policy test: failing and passing tests with their rule locations', () => {
    const dir = join(home, '..', 'rego');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'p_test.rego'), 'package p\n\ntest_pass if { 1 == 1 }\n\ntest_fail if { 1 == 2 }\n');
    const junit = maestro(home, ['policy', 'test', dir, '--format', 'junit']);
    expect(junit.code).toBe(2); // opa test's exit status for a failing test
    const root = parseJUnit(junit.stdout);
    expect(root.tests).toBe('2');
    expect(root.failures).toBe('1');
    const failed = root.testsuite[0].testcase.find((c: { failure: unknown }) => c.failure !== undefined);
    expect(failed.name).toBe('test_fail');
    expect(failed.line).toBe('5');

    const gh = maestro(home, ['policy', 'test', dir, '--format', 'github']);
    const first = gh.stdout.split('\n')[0]!;
    expect(first).toMatch(GH_LINE);
    expect(first).toContain(',line=5,');

    const sarif = maestro(home, ['policy', 'test', dir, '--format', 'sarif']).json();
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(sarif.runs[0].results).toHaveLength(1);
  });

  it('plan: policy verdicts as cases (allowed plan: no failures)', () => {
    const r = maestro(home, ['plan', 'fixtures/manifests/hello.yaml', '--format', 'junit']);
    expect(r.code, r.stderr).toBe(0);
    const root = parseJUnit(r.stdout);
    expect(Number(root.tests)).toBeGreaterThan(0);
    expect(root.failures).toBe('0');
    const sarif = maestro(home, ['plan', 'fixtures/manifests/hello.yaml', '--format', 'sarif']).json();
    expect(validateSarif(sarif)).toBe(true);
  });

  it('rejects an unknown format', () => {
    const r = maestro(home, ['manifest', 'validate', 'fixtures/manifests/hello.yaml', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/format/);
  });
});
