import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCES, validateManifestSource } from '../../src/manifest/index.js';

describe('partial resources', () => {
  it('fills each missing resource field with its default', async () => {
    const src = [
      'apiVersion: maestro/v1',
      'kind: Workflow',
      'metadata: { name: partial }',
      'spec:',
      '  region: US',
      '  resourceClass: small',
      '  tasks:',
      '    - { id: a, uses: shell, run: "true", resources: { timeoutSec: 5 } }',
      '    - { id: b, uses: shell, run: "true", resources: { cpu: 0.5, tmpMB: 8 } }',
    ].join('\n');
    const r = await validateManifestSource(src, { file: 'partial.yaml' });
    expect(r.diagnostics).toEqual([]);
    const [a, b] = r.manifest!.manifest.spec.tasks;
    expect(a!.resources).toEqual({ ...DEFAULT_RESOURCES, timeoutSec: 5 });
    expect(b!.resources).toEqual({ ...DEFAULT_RESOURCES, cpu: 0.5, tmpMB: 8 });
  });
});
