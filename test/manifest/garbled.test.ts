/**
 * Binary, non-UTF-8 and oversized-line input (issue 16 item 9): one "not a YAML text file" error for
 * non-text, every message cut to a readable length with no raw bytes, and a bounded number of errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DIAGNOSTICS, MAX_FIELD_CHARS, MAX_MESSAGE_CHARS } from '../../src/manifest/diagnostics.js';
import { formatDiagnostic, validateManifestSource } from '../../src/manifest/index.js';
import { BIN, ROOT } from '../helpers/cli.js';

// A seeded xorshift stream: the same "binary garbage" on every run.
function garbage(n: number, seed = 0x9e3779b9): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const check = async (src: string | Buffer) => (await validateManifestSource(src, { file: 'g.yaml' })).diagnostics;
const base = 'apiVersion: maestro/v1\nkind: Workflow\nmetadata: {name: x}\n';

describe('garbled manifests', () => {
  it('1 MiB of binary garbage: exactly one error naming the file and the reason', async () => {
    const d = await check(garbage(1024 * 1024));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ file: 'g.yaml', code: 'NOT_YAML_TEXT', field: '(file)' });
    expect(d[0]!.message).toMatch(/^not a YAML text file: invalid UTF-8 at byte \d+ \(line \d+, column \d+\)/);
  });

  it('Latin-1 text: the first bad byte, located', async () => {
    const d = await check(Buffer.concat([Buffer.from(`${base}spec:\n  region: Z`), Buffer.from([0xfc]), Buffer.from('rich\n')]));
    expect(d.map(formatDiagnostic)).toEqual([
      `g.yaml:5:12 (file): not a YAML text file: invalid UTF-8 at byte ${base.length + 17} (line 5, column 12); is it a binary file? Save it as UTF-8 text`,
    ]);
  });

  it('valid UTF-8 with a NUL or a control character: one error, the character escaped', async () => {
    expect((await check(Buffer.from(`${base}spec:\0\n`))).map(formatDiagnostic)).toEqual([
      'g.yaml:4:6 (file): not a YAML text file: a NUL byte (binary data?) at line 4, column 6',
    ]);
    expect((await check(`a: b\x1b[31m\n`)).map((x) => x.message)).toEqual([
      'not a YAML text file: the control character U+001B, which YAML does not allow at line 1, column 5',
    ]);
  });

  it('a UTF-8 BOM and ordinary Unicode are text', async () => {
    const d = await check(
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`${base}spec: {region: US, resourceClass: small, tasks: [{id: cafe, uses: shell, run: "echo ünïcødé 😀"}]}\n`),
      ]),
    );
    expect(d).toEqual([]);
  });

  it('a 90 KB line is cut with an ellipsis in the field and the message', async () => {
    const long = `k${'x'.repeat(90_000)}`;
    const d = await check(`${base}spec: {region: "${long}", resourceClass: small, tasks: [{id: a, uses: shell, run: x, needs: ["${long}"]}]}\n`);
    expect(d.length).toBeGreaterThan(0);
    for (const x of d) {
      expect(x.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
      expect(x.field.length).toBeLessThanOrEqual(MAX_FIELD_CHARS);
    }
    expect(d.some((x) => x.field.endsWith('…') || x.message.endsWith('…'))).toBe(true);
  });

  it('hundreds of errors are capped, with a count of the rest', async () => {
    const fields = Array.from({ length: 300 }, (_, i) => `unknown${i}: 1`).join('\n');
    const d = await check(`${base}spec: {region: US, resourceClass: small, tasks: [{id: a, uses: shell, run: x}]}\n${fields}\n`);
    expect(d).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(d.at(-1)).toMatchObject({ code: 'TOO_MANY_ERRORS' });
    expect(d.at(-1)!.message).toMatch(/^\d+ more errors not shown/);
  });

  it('the real CLI prints one short line for 1 MiB of garbage and exits 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'garbled-'));
    const file = join(dir, 'junk.yaml');
    writeFileSync(file, garbage(1024 * 1024, 42));
    const r = spawnSync(process.execPath, [BIN, 'manifest', 'validate', file], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, MAESTRO_HOME: join(dir, 'home'), NO_COLOR: '1' },
    });
    expect(r.status).toBe(2);
    const out = r.stdout + r.stderr;
    expect(out.length).toBeLessThan(1000);
    expect(out).toContain(`${file}:`);
    expect(out).toContain('not a YAML text file: invalid UTF-8');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserts that no control character reaches the terminal
    expect(out).not.toMatch(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]/);
  });
});
