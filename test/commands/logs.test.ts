/** `maestro logs` end to end. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`maestro logs${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let id = '';
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'maestro-logs-'));
    id = maestro(h.home, [
      'run',
      writeManifest(dir, 'logs', [
        { id: 'a', run: 'echo line-1; echo line-2; echo oops >&2' },
        { id: 'b', run: 'printf "no-newline"', needs: ['a'] },
      ]),
      '--json',
    ]).json().id;
  });
  afterAll(() => h.cleanup());

  it('prints every task line in order, stderr marked', () => {
    const r = maestro(h.home, ['logs', id]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['a  | line-1', 'a  | line-2', 'a !| oops', 'b  | no-newline']);
  });

  it('--task filters; --json prints one {task, ts, stream, line} object a line', () => {
    const r = maestro(h.home, ['logs', id, '--task', 'a', '--json']);
    const recs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(recs.map((x) => [x.task, x.stream, x.line])).toEqual([
      ['a', 'stdout', 'line-1'],
      ['a', 'stdout', 'line-2'],
      ['a', 'stderr', 'oops'],
    ]);
    expect(typeof recs[0].ts).toBe('string');
    expect(maestro(h.home, ['logs', id, '--task', 'nope']).code).toBe(5);
  });
});
