/** Manifest v1: resources.outMB, resources.fds, resources.logMB (defaults and bounds). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCES, manifestSchema, validateManifestSource } from '../../src/manifest/index.js';

const doc = (resources: string) => `apiVersion: maestro/v1
kind: Workflow
metadata: { name: limits }
spec:
  region: US
  resourceClass: small
  tasks:
    - id: t
      uses: shell
      run: "true"
      resources: ${resources}
`;

describe('resources.outMB / fds / logMB', () => {
  it('default to 1024 MiB, 1024 descriptors and 64 MiB', async () => {
    expect(DEFAULT_RESOURCES).toMatchObject({ outMB: 1024, fds: 1024, logMB: 64 });
    const r = await validateManifestSource(doc('{ cpu: 1 }'), { file: 'm.yaml' });
    expect(r.diagnostics).toEqual([]);
    expect(r.manifest!.manifest.spec.tasks[0]!.resources).toMatchObject({ outMB: 1024, fds: 1024, logMB: 64 });
  });
  it('take declared values', async () => {
    const r = await validateManifestSource(doc('{ outMB: 5, fds: 64, logMB: 2 }'), { file: 'm.yaml' });
    expect(r.manifest!.manifest.spec.tasks[0]!.resources).toMatchObject({ outMB: 5, fds: 64, logMB: 2 });
  });
  it.each([
    ['outMB: 0', 'outMB'],
    ['fds: 8', 'fds'],
    ['logMB: 5000', 'logMB'],
    ['outMB: 1.5', 'outMB'],
  ])('rejects %s with a located diagnostic', async (field, name) => {
    const r = await validateManifestSource(doc(`{ ${field} }`), { file: 'm.yaml' });
    expect(r.valid).toBe(false);
    expect(JSON.stringify(r.diagnostics)).toContain(name);
    expect(r.diagnostics[0]!.line).toBe(11);
  });
  it('the published schema documents them', () => {
    // biome-ignore lint/suspicious/noExplicitAny: the JSON schema, parsed JSON navigated freely by the assertions (a wrong path fails the test)
    const props = (manifestSchema() as any).properties.spec.properties.tasks.items.properties.resources.properties;
    for (const k of ['outMB', 'fds', 'logMB']) expect(props[k].description).toMatch(/default/);
  });
});
