import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, topoOrder, validateManifestFile } from '../../src/manifest/index.js';

const dir = 'fixtures/manifests';
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('valid fixtures', () => {
  it('has the fixtures the issue asks for', () => {
    for (const f of ['hello', 'build-test-report', 'long-running', 'large-resource', 'region-us', 'region-eu', 'region-apac']) {
      expect(files).toContain(`${f}.yaml`);
    }
  });

  it.each(files)('%s is valid and normalises', async (f) => {
    const r = await validateManifestFile(join(dir, f));
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.valid).toBe(true);
    const m = r.manifest!;
    expect(m.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(topoOrder(m)).toHaveLength(m.manifest.spec.tasks.length);
    for (const t of m.manifest.spec.tasks) {
      expect(t.resources.cpu).toBeGreaterThan(0);
      expect(Array.isArray(t.needs)).toBe(true);
    }
  });
});
