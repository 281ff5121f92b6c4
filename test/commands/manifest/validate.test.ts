import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, maestro, ROOT } from './cli.js';

const invalid = join(ROOT, 'fixtures/manifests/invalid');
const expected = (name: string): string =>
  readFileSync(join(invalid, `${name}.expected.txt`), 'utf8')
    .split('<root>')
    .join(ROOT);

beforeAll(() => ensureBuilt(), 180_000);

describe('maestro manifest validate', { timeout: 20_000 }, () => {
  it('prints ok for a valid manifest and exits 0', () => {
    const r = maestro(['manifest', 'validate', 'fixtures/manifests/hello.yaml']);
    expect(r).toEqual({ status: 0, stdout: 'ok: fixtures/manifests/hello.yaml (workflow hello, 2 tasks)\n', stderr: '' });
  });

  it.each(['several-errors', 'unknown-needs', 'cycle', 'yaml-syntax', 'workspace-escape'])('%s.yaml: every diagnostic on stderr, a summary, exit 2', (name) => {
    const r = maestro(['manifest', 'validate', `${name}.yaml`], invalid);
    const lines = expected(name).trimEnd().split('\n');
    const n = lines.length;
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${lines.join('\n')}\n${n} error${n === 1 ? '' : 's'} in ${name}.yaml\n`);
  });

  it('--json prints the report on stdout and exits 2 when invalid', () => {
    const r = maestro(['manifest', 'validate', 'fixtures/manifests/invalid/unknown-needs.yaml', '--json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('');
    const file = 'fixtures/manifests/invalid/unknown-needs.yaml';
    expect(JSON.parse(r.stdout)).toEqual({
      valid: false,
      file,
      errors: [
        { file, line: 11, column: 15, field: 'tasks[1].needs[0]', message: 'unknown task "biuld" (did you mean "build"?)', code: 'UNKNOWN_NEED' },
        { file, line: 16, column: 21, field: 'tasks[2].needs[1]', message: 'unknown task "release"', code: 'UNKNOWN_NEED' },
      ],
    });
  });

  it('--json on a valid manifest', () => {
    const r = maestro(['manifest', 'validate', 'hello.yaml', '--json'], join(ROOT, 'fixtures/manifests'));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, file: 'hello.yaml', errors: [] });
  });

  it('a missing file exits 5 naming the path', () => {
    const r = maestro(['manifest', 'validate', 'nope/missing.yaml']);
    expect(r.status).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('nope/missing.yaml');
    const j = maestro(['manifest', 'validate', 'nope/missing.yaml', '--json']);
    expect(j.status).toBe(5);
    expect(JSON.parse(j.stderr).error.code).toBe('MANIFEST_NOT_FOUND');
  });

  it('without a file is a usage error', () => {
    const r = maestro(['manifest', 'validate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/file/i);
  });
});

describe('maestro manifest schema', { timeout: 20_000 }, () => {
  it('prints the same JSON Schema with and without --json', async () => {
    const { manifestSchema } = await import('../../../src/manifest/index.js');
    const plain = maestro(['manifest', 'schema']);
    const json = maestro(['manifest', 'schema', '--json']);
    expect(plain.status).toBe(0);
    expect(json.status).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual(manifestSchema());
    expect(json.stdout).toBe(plain.stdout);
  });
});
