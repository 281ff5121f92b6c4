/** `maestro status` end to end. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';
import { writeManifest } from '../runner/e2e-helpers.js';
import { unavailableReason } from '../runner/escape/helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`maestro status${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const h = tempHome();
  let first = '';
  let second = '';
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'maestro-status-'));
    first = maestro(h.home, ['run', writeManifest(dir, 'one', [{ id: 't', run: 'echo one' }]), '--json']).json().id;
    second = maestro(h.home, [
      'run',
      writeManifest(dir, 'two', [
        { id: 'a', run: 'echo two-a' },
        { id: 'b', run: 'echo two-b >&2', needs: ['a'] },
      ]),
      '--json',
    ]).json().id;
  });
  afterAll(() => h.cleanup());

  it('shows the latest execution by default', () => {
    const r = maestro(h.home, ['status', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ id: second, status: 'succeeded', workflow: 'two', tasks: [{ id: 'a' }, { id: 'b' }] });
    const human = maestro(h.home, ['status']);
    expect(human.stdout).toContain(second);
    expect(human.stdout).toMatch(/a\s+succeeded\s+0/);
  });

  it('shows a named execution and lists all with --all, newest first', () => {
    expect(maestro(h.home, ['status', first, '--json']).json()).toMatchObject({ id: first, workflow: 'one' });
    const all = maestro(h.home, ['status', '--all', '--json']).json();
    expect(all.map((e: { id: string }) => e.id)).toEqual([second, first]);
  });

  it('an unknown id is not found (exit 5)', () => {
    const r = maestro(h.home, ['status', 'ex_00000000000000000000000000']);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('does not exist');
  });
});
