/** Terminal output: colour semantics, width, IEC units, progress without a width, --quiet, exit 130 on Ctrl-C. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytes, colorLevel, table, terminalWidth } from '../../src/cli/render.js';
import { createProgress } from '../../src/cli/render-disclose.js';
import { BIN, maestro, ROOT, tempHome } from '../helpers/cli.js';

describe('colour (no-color.org, FORCE_COLOR, TERM=dumb)', () => {
  it('NO_COLOR disables colour only when non-empty', () => {
    expect(colorLevel({ NO_COLOR: '' }, true, false)).toBe(1);
    expect(colorLevel({ NO_COLOR: '1' }, true, false)).toBe(0);
  });
  it('FORCE_COLOR forces colour on a pipe and wins over NO_COLOR; FORCE_COLOR=0 forces it off', () => {
    expect(colorLevel({ FORCE_COLOR: '1' }, false, false)).toBe(1);
    expect(colorLevel({ FORCE_COLOR: '3', NO_COLOR: '1' }, false, false)).toBe(3);
    expect(colorLevel({ FORCE_COLOR: '0' }, true, false)).toBe(0);
    expect(colorLevel({ FORCE_COLOR: '1' }, true, true)).toBe(0); // machine output stays plain
  });
  it('TERM=dumb and a pipe give plain output', () => {
    expect(colorLevel({ TERM: 'dumb' }, true, false)).toBe(0);
    expect(colorLevel({}, false, false)).toBe(0);
  });
  it('the real CLI: FORCE_COLOR colours a pipe, NO_COLOR=1 does not', () => {
    const { home, cleanup } = tempHome();
    try {
      const forced = maestro(home, ['manifest', 'validate', 'fixtures/manifests/hello.yaml'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
      expect(forced.stdout).toContain('\u001b[');
      const plain = maestro(home, ['manifest', 'validate', 'fixtures/manifests/hello.yaml'], { NO_COLOR: '1' });
      expect(plain.stdout).not.toContain('\u001b[');
    } finally {
      cleanup();
    }
  });
});

describe('width and units', () => {
  const rows = [['ID', 'DESCRIPTION', 'STATUS'], ...Array.from({ length: 5 }, (_, i) => [`row-${i}`, 'x'.repeat(300), 'ok'])];
  it.each([160, 80, 40])('a table fits %i columns', (w) => {
    for (const line of table(rows, w).split('\n')) expect(line.length).toBeLessThanOrEqual(w);
    expect(table(rows, w)).toContain('…');
  });
  it('a narrow table is left as is', () => {
    expect(
      table(
        [
          ['A', 'B'],
          ['1', '2'],
        ],
        160,
      ),
    ).toBe('A  B\n1  2');
  });
  it('terminal width: a terminal reporting 0 columns falls back to $COLUMNS, then 100; a pipe is unlimited', () => {
    expect(terminalWidth({ columns: 0, isTTY: true }, {})).toBe(100);
    expect(terminalWidth({ columns: 0, isTTY: true }, { COLUMNS: '160' })).toBe(160);
    expect(terminalWidth({ columns: 120, isTTY: true }, { COLUMNS: '160' })).toBe(120);
    expect(terminalWidth({}, { COLUMNS: '10' })).toBe(40);
    expect(terminalWidth({ isTTY: false }, {})).toBe(Infinity);
  });
  it('the real CLI fits COLUMNS: status --all at 40 and 160 columns', () => {
    const { home, cleanup } = tempHome();
    try {
      expect(maestro(home, ['tenants', 'set', 'default', '--no-require-sandbox']).code).toBe(0);
      const wf = join(home, '..', 'w.yaml');
      writeFileSync(
        wf,
        'apiVersion: maestro/v1\nkind: Workflow\nmetadata: { name: a-workflow-with-a-rather-long-name-for-the-table }\nspec:\n  region: US\n  resourceClass: small\n  tasks:\n    - id: a\n      uses: shell\n      run: echo a\n',
      );
      expect(maestro(home, ['run', wf, '--sandbox', 'none']).code).toBe(0);
      for (const cols of [40, 160]) {
        const r = maestro(home, ['status', '--all'], { COLUMNS: String(cols) });
        expect(r.code).toBe(0);
        for (const line of r.stdout.trimEnd().split('\n')) expect(line.length, line).toBeLessThanOrEqual(cols);
      }
      const wide = maestro(home, ['status', '--all']).stdout;
      expect(wide).not.toContain('…');
    } finally {
      cleanup();
    }
  });
  it('IEC units everywhere', () => {
    expect(bytes(500_000_000)).toBe('476.8 MiB');
    expect(bytes(1023)).toBe('1023 B');
    expect(bytes(1024)).toBe('1.0 KiB');
    expect(bytes(5 * 1024 ** 3)).toBe('5.0 GiB');
  });
});

describe('progress with an unknown or zero width', () => {
  it('a TTY reporting 0 columns gets at most one line per 10% per phase', async () => {
    const writes: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => {
      writes.push(String(s));
      return true;
    }) as typeof process.stderr.write;
    try {
      let t = 0;
      const p = await createProgress({ json: false, tty: true, columns: 0, clock: { now: () => (t += 5) } });
      for (let i = 0; i <= 10_000; i++) p.update({ phase: 'verify', bytes: i * 100, total: 1_000_000 });
      await p.done();
    } finally {
      process.stderr.write = orig;
    }
    expect(writes.length).toBeLessThanOrEqual(11);
    expect(writes.length).toBeGreaterThan(0);
    for (const w of writes) expect(w).toMatch(/^verifying \d+%/);
  });
  it('--quiet and machine output print no progress', async () => {
    const writes: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => {
      writes.push(String(s));
      return true;
    }) as typeof process.stderr.write;
    try {
      const p = await createProgress({ json: false, quiet: true, tty: false, clock: { now: () => 0 } });
      p.update({ phase: 'verify', bytes: 1, total: 1 });
    } finally {
      process.stderr.write = orig;
    }
    expect(writes).toEqual([]);
  });
});

describe('--quiet and Ctrl-C', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);

  it('--quiet prints nothing on success, and the exit status still tells', () => {
    const ok = maestro(home, ['manifest', 'validate', 'fixtures/manifests/hello.yaml', '--quiet']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    const bad = maestro(home, ['manifest', 'validate', 'fixtures/manifests/invalid/cycle.yaml', '-q']);
    expect(bad.code).toBe(2);
  });

  it('Ctrl-C during a run exits 130 (the run is cancelled first)', async () => {
    expect(maestro(home, ['tenants', 'set', 'default', '--no-require-sandbox']).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'run', 'fixtures/manifests/long-running.yaml', '--sandbox', 'none'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MAESTRO_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no task started: ${err}`)), 30_000);
      child.stderr.on('data', () => {
        if (/started/.test(err)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(130);
  }, 60_000);
});
