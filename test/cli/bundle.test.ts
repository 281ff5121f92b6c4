/** The bundled entry point (ADR 0025) behaves like the compiled modules, and covers every command. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maestro, ROOT, tempHome } from '../helpers/cli.js';

describe('bundled entry point', () => {
  const { home, cleanup } = tempHome();
  afterAll(cleanup);

  it('every command of the manifest has a bundled entry', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8'));
    const ids = Object.keys(manifest.commands);
    expect(ids.length).toBeGreaterThan(30);
    for (const id of ids) expect(existsSync(`${join(ROOT, 'dist', 'bundle', 'commands', ...id.split(':'))}.js`), id).toBe(true);
  });

  it('bundled and unbundled give the same output and exit status', () => {
    expect(maestro(home, ['init']).code).toBe(0);
    for (const args of [
      ['whoami', '--json'],
      ['manifest', 'validate', 'fixtures/manifests/invalid/cycle.yaml'],
      ['help', 'run'],
      ['tenants', 'list', '--json'],
    ]) {
      const a = maestro(home, args);
      const b = maestro(home, args, { MAESTRO_NO_BUNDLE: '1' });
      expect(a.code, args.join(' ')).toBe(b.code);
      expect(a.stdout, args.join(' ')).toBe(b.stdout);
      expect(a.stderr, args.join(' ')).toBe(b.stderr);
    }
  });

  it('assets found through import.meta.url (migrations, prices) work from the bundle', () => {
    const r = maestro(home, ['plan', 'fixtures/manifests/hello.yaml', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().estimatedCostUSD).toBeGreaterThan(0);
  });
});
