import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatePack, readPack } from '../../../src/policy/packs/index.js';

describe('pack values beyond 2^53', () => {
  it('messages and fired values stay exact and JSON-safe', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mc-bigpack-')), 'big');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'policy.rego'),
      '# annotations:\n# title: Big\n# summary: Big numbers.\npackage maestro.big\n\nimport rego.v1\n\nhuge := 123456789012345678901234567890\n\ndeny contains {"limit": huge} if input.x > 0\n',
    );
    writeFileSync(
      join(dir, 'pack.json'),
      JSON.stringify({ id: 'big', package: 'maestro.big', version: '1.0.0', title: 'Big', summary: 'Big numbers.', inputs: ['x'] }),
    );
    const pack = readPack(dir, 'local', join(dir, '..'));
    const v = evaluatePack(pack, { x: 1 }, {}, { timeoutMs: 5000, explain: true });
    expect(v.deny.map((m) => m.message)).toEqual(['{"limit":123456789012345678901234567890}']);
    expect(() => JSON.stringify(v)).not.toThrow();
    expect(JSON.stringify(v.fired)).toContain('123456789012345678901234567890');
  });
});
