import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  formatDiagnostic,
  loadManifest,
  ManifestError,
  manifestSchema,
  validateManifestFile,
  validateManifestSource,
  validationReport,
} from '../../src/manifest/index.js';

const head = ['apiVersion: maestro/v1', 'kind: Workflow', 'metadata:', '  name: t', 'spec:', '  region: US', '  resourceClass: small'];
const wf = (...rest: string[]): string => `${[...head, ...rest].join('\n')}\n`;
const lines = async (src: string, baseDir?: string): Promise<string[]> =>
  (await validateManifestSource(src, { file: 't.yaml', baseDir })).diagnostics.map(formatDiagnostic);

describe('loadManifest', () => {
  it('returns the normalised manifest of a valid file', async () => {
    const m = await loadManifest('fixtures/manifests/build-test-report.yaml', { cwd: process.cwd() });
    expect(m.manifest.metadata.name).toBe('build-test-report');
    expect(m.manifest.spec.tasks).toHaveLength(5);
  });

  it('throws a ManifestError (exit 2) listing every diagnostic', async () => {
    const cwd = 'fixtures/manifests/invalid';
    const err = await loadManifest('unknown-needs.yaml', { cwd }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect(err).toBeInstanceOf(UsageError);
    const e = err as ManifestError;
    expect(e.code).toBe('MANIFEST_INVALID');
    expect(e.exitCode).toBe(2);
    expect(e.diagnostics).toHaveLength(2);
    expect(e.message).toContain('2 errors in unknown-needs.yaml');
    expect(e.message).toContain('unknown-needs.yaml:11:15 tasks[1].needs[0]: unknown task "biuld" (did you mean "build"?)');
    expect(e.message).toContain('unknown-needs.yaml:16:21 tasks[2].needs[1]: unknown task "release"');
  });

  it('reports a missing file as not found (exit 5) with its path', async () => {
    const err = (await validateManifestFile('no/such.yaml').catch((e: unknown) => e)) as { code: string; exitCode: number; message: string };
    expect(err.code).toBe('MANIFEST_NOT_FOUND');
    expect(err.exitCode).toBe(5);
    expect(err.message).toContain('no/such.yaml');
  });

  it('refuses a directory and an oversized file (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-'));
    await expect(validateManifestFile(dir)).rejects.toMatchObject({ code: 'MANIFEST_NOT_A_FILE', exitCode: 2 });
    writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    await expect(validateManifestFile(join(dir, 'big.yaml'))).rejects.toMatchObject({ code: 'MANIFEST_TOO_LARGE', exitCode: 2 });
  });
});

describe('diagnostic positions', () => {
  it('locates values in flow mappings and the key of an unknown field', async () => {
    expect(await lines(wf('  tasks:', '    - { id: a, uses: shell, run: x, resources: { cpu: 1, memoryMB: 8, timeoutSec: 5, mem: 2 } }'))).toEqual([
      't.yaml:9:68 tasks[0].resources.memoryMB: must be at least 16 (got 8)',
      't.yaml:9:86 tasks[0].resources.mem: unknown field "mem" (did you mean "memoryMB"?)',
    ]);
  });

  it('points a missing required field at its parent mapping, and the root at 1:1', async () => {
    expect(await lines('kind: Workflow\n')).toEqual(['t.yaml:1:1 apiVersion: is required', 't.yaml:1:1 metadata: is required', 't.yaml:1:1 spec: is required']);
    expect(await lines(wf())).toEqual(['t.yaml:6:3 tasks: is required']);
  });

  it('follows YAML anchors and aliases', async () => {
    const src = wf(
      '  tasks:',
      '    - &base',
      '      id: a',
      '      uses: shell',
      '      run: x',
      '      network: maybe',
      '    - id: b',
      '      uses: shell',
      '      run: y',
      '      needs: [a, c]',
    );
    expect(await lines(src)).toEqual([
      't.yaml:13:16 tasks[0].network: must be true or false (got "maybe")',
      't.yaml:17:18 tasks[1].needs[1]: unknown task "c"',
    ]);
  });

  it('reports an empty value at its key and a top-level typo with its full path', async () => {
    expect(await lines(wf('  tasks:', '    - id:', '      uses: shell', '      run: x', 'metdata: {}'))).toEqual([
      't.yaml:9:7 tasks[0].id: must be a string (got nothing)',
      't.yaml:12:1 metdata: unknown field "metdata" (did you mean "metadata"?)',
    ]);
  });

  it('checks label keys and values', async () => {
    const src = wf('  tasks: [{id: a, uses: shell, run: x}]').replace('  name: t', '  name: t\n  labels: {"bad key": v, ok: 3}');
    expect(await lines(src)).toEqual([
      't.yaml:5:12 metadata.labels["bad key"]: "bad key" is not a valid label key (letters, digits, "_", ".", "/" and "-", 63 characters at most)',
      't.yaml:5:30 metadata.labels.ok: must be a string (got 3)',
    ]);
  });
});

describe('semantic checks', () => {
  it('names every cycle once, in run order', async () => {
    const src = wf(
      '  tasks:',
      '    - {id: a, uses: shell, run: x, needs: [b]}',
      '    - {id: b, uses: shell, run: x, needs: [a]}',
      '    - {id: c, uses: shell, run: x, needs: [e]}',
      '    - {id: d, uses: shell, run: x, needs: [c]}',
      '    - {id: e, uses: shell, run: x, needs: [d]}',
      '    - {id: f, uses: shell, run: x, needs: [a, e]}',
    );
    expect(await lines(src)).toEqual(['t.yaml:9:44 tasks[0].needs[0]: cycle: a -> b -> a', 't.yaml:11:44 tasks[2].needs[0]: cycle: c -> d -> e -> c']);
  });

  it('on a root host, a workspace uid 65534 cannot read is an error naming the chmod; elsewhere it is fine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-ws-'));
    mkdirSync(join(dir, 'ws'));
    writeFileSync(join(dir, 'ws', 'secret'), 'x', { mode: 0o600 });
    const src = wf('  workspace: ./ws', '  tasks: [{id: a, uses: shell, run: x}]');
    const root = process.getuid?.() === 0;
    const first = await lines(src, dir);
    if (!root) {
      expect(first).toEqual([]);
      return;
    }
    // The folders above the workspace do not matter (bwrap binds it as root): a 0700 temp dir is fine.
    expect(first).toEqual([
      `t.yaml:8:14 workspace: workspace "./ws" is not readable by the sandbox user (uid 65534) on this host: ${join(dir, 'ws', 'secret')} has mode 0600; fix: chmod o+r ${join(dir, 'ws', 'secret')}`,
    ]);
    chmodSync(join(dir, 'ws'), 0o700);
    expect(await lines(src, dir)).toEqual([
      `t.yaml:8:14 workspace: workspace "./ws" is not readable by the sandbox user (uid 65534) on this host: ${join(dir, 'ws')} has mode 0700; fix: chmod o+rx ${join(dir, 'ws')}`,
    ]);
    chmodSync(join(dir, 'ws'), 0o755);
    chmodSync(join(dir, 'ws', 'secret'), 0o644);
    expect(await lines(src, dir)).toEqual([]);
  });

  it('checks the workspace on disk: missing, not a directory, symlink escape', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mf-ws-'));
    chmodSync(dir, 0o755); // readable by the sandbox user on a root host (see the WORKSPACE_UNREADABLE case)
    writeFileSync(join(dir, 'file'), 'x');
    mkdirSync(join(dir, 'ok'));
    symlinkSync(tmpdir(), join(dir, 'link'));
    const ws = (w: string) => wf(`  workspace: ${w}`, '  tasks: [{id: a, uses: shell, run: x}]');
    expect(await lines(ws('./ok'), dir)).toEqual([]);
    expect(await lines(ws('./file'), dir)).toEqual([`t.yaml:8:14 workspace: workspace "./file" is not a directory (resolved to ${join(dir, 'file')})`]);
    expect((await lines(ws('link'), dir))[0]).toMatch(/workspace "link" escapes the manifest's folder through a symlink/);
    expect(await lines(ws('/etc'), dir)).toEqual(['t.yaml:8:14 workspace: "/etc" must be a path relative to the manifest file (e.g. ./ws)']);
    expect(await lines(ws('a/../../x'))).toEqual([`t.yaml:8:14 workspace: workspace "a/../../x" escapes the manifest's folder`]);
  });

  it('runs the semantic pass beside schema errors', async () => {
    const src = wf('  tasks:', '    - {id: a, uses: bash, run: x}', '    - {id: a, uses: shell, run: x, needs: [a]}');
    expect(await lines(src)).toEqual([
      't.yaml:9:21 tasks[0].uses: must be "shell" (got "bash")',
      't.yaml:10:12 tasks[1].id: duplicate task id "a" (first declared at tasks[0], line 9)',
      't.yaml:10:44 tasks[1].needs[0]: task "a" cannot depend on itself',
    ]);
  });
});

describe('schema and report', () => {
  it('publishes a valid draft 2020-12 schema that accepts the fixtures', async () => {
    const { default: Ajv2020 } = await import('ajv/dist/2020.js');
    const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false });
    const schema = manifestSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(ajv.validateSchema(schema)).toBe(true);
    const validate = ajv.compile(schema);
    const loaded = await validateManifestFile('fixtures/manifests/hello.yaml');
    const { parse } = await import('yaml');
    expect(validate(parse(loaded.manifest!.source))).toBe(true);
    (schema as { title: string }).title = 'changed';
    expect(manifestSchema().title).toBe('Maestro Manifest v1');
  });

  it('builds the stable --json report', async () => {
    const r = await validateManifestFile('wrong-kind.yaml', { cwd: 'fixtures/manifests/invalid' });
    expect(validationReport(r)).toEqual({
      valid: false,
      file: 'wrong-kind.yaml',
      errors: [{ file: 'wrong-kind.yaml', line: 2, column: 7, field: 'kind', message: 'must be "Workflow" (got "Pipeline")', code: 'CONST' }],
    });
  });
});
