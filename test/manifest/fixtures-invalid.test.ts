/**
 * Every invalid fixture's exact diagnostics, compared with its sibling <name>.expected.txt.
 * Paths inside messages are written as <root> (the repository). To regenerate after a deliberate
 * message change: UPDATE_EXPECTED=1 npx vitest run test/manifest/fixtures-invalid.test.ts (then review the diff).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, validateManifestFile } from '../../src/manifest/index.js';

const root = resolve('.');
const dir = resolve('fixtures/manifests/invalid');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function expectedLines(name: string): string[] {
  return readFileSync(join(dir, name.replace(/\.yaml$/, '.expected.txt')), 'utf8')
    .trimEnd()
    .split('\n');
}

describe('invalid fixtures', () => {
  it('covers at least twelve kinds of error', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  it.each(cases)('%s reports exactly its expected diagnostics', async (name) => {
    const r = await validateManifestFile(name, { cwd: dir });
    const lines = r.diagnostics.map((d) => formatDiagnostic(d).split(root).join('<root>'));
    if (process.env.UPDATE_EXPECTED === '1') {
      writeFileSync(join(dir, name.replace(/\.yaml$/, '.expected.txt')), `${lines.join('\n')}\n`);
    }
    expect(r.valid).toBe(false);
    expect(lines).toEqual(expectedLines(name));
    for (const d of r.diagnostics) {
      expect(d.file).toBe(name);
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.column).toBeGreaterThanOrEqual(1);
      expect(d.code).toMatch(/^[A-Z_]+$/);
    }
  });
});
