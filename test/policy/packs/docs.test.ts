// The committed README.md of every shipped pack must equal what `policy packs docs` generates.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../../src/core/context.js';
import { generateDocs } from '../../../src/policy/packs/index.js';
import { copyPacks, REPO } from './helpers.js';

const ctxFor = (env: Record<string, string> = {}) => createContext({ env: { MAESTRO_HOME: join(tmpdir(), 'mc-docs-unused'), ...env }, cwd: REPO });

describe('policy packs docs', () => {
  it('the committed READMEs are up to date (run `maestro policy packs docs` after changing a pack)', () => {
    const r = generateDocs(ctxFor(), { check: true });
    expect(r.files.map((f) => f.id)).toHaveLength(6);
    expect(r.files.filter((f) => f.changed).map((f) => f.path)).toEqual([]);
    expect(r.upToDate).toBe(true);
  });

  it('--out writes the same bytes elsewhere', () => {
    const out = mkdtempSync(join(tmpdir(), 'mc-docs-'));
    generateDocs(ctxFor(), { out });
    for (const id of ['budget', 'residency']) {
      expect(readFileSync(join(out, id, 'README.md'), 'utf8')).toBe(readFileSync(join(REPO, 'policies', id, 'README.md'), 'utf8'));
    }
  });

  it('a changed annotation makes the README stale; generating fixes it', () => {
    const packs = copyPacks();
    const path = join(packs, 'residency', 'policy.rego');
    writeFileSync(path, readFileSync(path, 'utf8').replace('# title: Residency', '# title: Data residency'));
    const ctx = ctxFor({ MAESTRO_PACKS_DIR: packs });
    const stale = generateDocs(ctx, { check: true });
    expect(stale.files.filter((f) => f.changed).map((f) => f.id)).toEqual(['residency']);
    generateDocs(ctx);
    expect(readFileSync(join(packs, 'residency', 'README.md'), 'utf8')).toMatch(/^# Data residency\n/);
    expect(generateDocs(ctx, { check: true }).upToDate).toBe(true);
    expect(existsSync(join(packs, 'quota', 'README.md'))).toBe(true);
  });
});
