import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild, maestro } from '../disclose/cli.js';

beforeAll(() => ensureBuild(), 120_000);

describe('maestro keys (real CLI)', () => {
  it('generate, list, export-public', () => {
    const home = mkdtempSync(join(tmpdir(), 'mh-keys-'));
    const g = maestro(['keys', 'generate', '--name', 'ci', '--json'], { home });
    expect(g.status).toBe(0);
    const key = JSON.parse(g.stdout);
    expect(key).toMatchObject({ name: 'ci', default: false, algorithm: 'ecdsa-p256-sha256' });
    expect(key.id).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(home, 'keys', 'ci.key')).mode & 0o777).toBe(0o600);
    expect(maestro(['keys', 'generate', '--name', 'ci'], { home }).status).toBe(2);
    const pub = maestro(['keys', 'export-public', '--id', key.id.slice(0, 10)], { home });
    expect(pub.status).toBe(0);
    expect(pub.stdout).toBe(readFileSync(join(home, 'keys', 'ci.pub'), 'utf8'));
    // export-public without --id creates the default receipt key on first use
    expect(maestro(['keys', 'export-public', '-o', 'p.pem'], { home }).status).toBe(0);
    const list = JSON.parse(maestro(['keys', 'list', '--json'], { home }).stdout);
    expect(list.map((k: { name: string; default: boolean }) => [k.name, k.default])).toEqual([
      ['ci', false],
      ['default', true],
    ]);
    expect(maestro(['keys', 'list'], { home }).stdout).toMatch(/^NAME\s+ID\s+CREATED\s+DEFAULT/);
    expect(maestro(['keys', 'export-public', '--id', 'nope'], { home }).status).toBe(5);
  });
});
