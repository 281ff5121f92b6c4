import { describe, expect, it } from 'vitest';
import { formatDiagnostic, validateManifestSource } from '../../src/manifest/index.js';

const lines = async (src: string): Promise<string[]> => (await validateManifestSource(src, { file: 'o.yaml' })).diagnostics.map(formatDiagnostic);

describe('odd shapes never crash and are located', () => {
  it('a list or a scalar at the root', async () => {
    expect(await lines('- a\n- b\n')).toEqual(['o.yaml:1:1 (root): must be a mapping (got a list)']);
    expect(await lines('hello\n')).toEqual(['o.yaml:1:1 (root): must be a mapping (got "hello")']);
  });

  it('spec and tasks of the wrong shape', async () => {
    const base = 'apiVersion: maestro/v1\nkind: Workflow\nmetadata: {name: x}\n';
    expect(await lines(`${base}spec:\n`)).toEqual(['o.yaml:4:1 spec: must be a mapping (got nothing)']);
    expect(await lines(`${base}spec: {region: US, resourceClass: small, tasks: {a: 1}}\n`)).toEqual(['o.yaml:4:49 tasks: must be a list (got a mapping)']);
    expect(await lines(`${base}spec: {region: US, resourceClass: small, tasks: [build, 7, {id: 3, uses: shell, run: x, needs: [1]}]}\n`)).toEqual([
      'o.yaml:4:50 tasks[0]: must be a mapping (got "build")',
      'o.yaml:4:57 tasks[1]: must be a mapping (got 7)',
      'o.yaml:4:65 tasks[2].id: must be a string (got 3)',
      'o.yaml:4:97 tasks[2].needs[0]: must be a string (got 1)',
    ]);
  });

  it('multiple documents and tabs are syntax errors', async () => {
    expect((await lines('a: 1\n---\nb: 2\n'))[0]).toMatch(/^o\.yaml:2:1 yaml: source contains multiple documents/);
    expect(await lines('a: 1\n\tb: 2\n')).toEqual(['o.yaml:2:1 yaml: tabs are not allowed as indentation']);
  });
});
