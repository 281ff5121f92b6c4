import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCES, type Manifest, type TaskSpec, topoOrder, validateManifestFile, validateManifestSource } from '../../src/manifest/index.js';

const task = (id: string, needs: string[] = []): TaskSpec => ({
  id,
  uses: 'shell',
  run: 'true',
  needs,
  env: {},
  network: false,
  resources: { ...DEFAULT_RESOURCES },
});
const wf = (tasks: TaskSpec[]): Manifest => ({
  apiVersion: 'maestro/v1',
  kind: 'Workflow',
  metadata: { name: 'x', labels: {} },
  spec: { region: 'US', resourceClass: 'small', tasks },
});

describe('normalize', () => {
  it('fills defaults, resolves the workspace and digests the raw bytes', async () => {
    const r = await validateManifestFile('fixtures/manifests/hello.yaml');
    const m = r.manifest!;
    expect(m.path).toBe(resolve('fixtures/manifests/hello.yaml'));
    expect(m.digest).toBe(`sha256:${createHash('sha256').update(readFileSync('fixtures/manifests/hello.yaml')).digest('hex')}`);
    expect(m.manifest.metadata).toEqual({ name: 'hello', labels: {} });
    expect(m.manifest.spec.workspace).toBe(resolve('fixtures/manifests/ws'));
    const [greet, report] = m.manifest.spec.tasks;
    expect(greet!.resources).toEqual({ cpu: 1, memoryMB: 256, timeoutSec: 60, tmpMB: 64, pids: 256, outMB: 1024, fds: 1024, logMB: 64 });
    expect(report).toEqual({
      id: 'report',
      uses: 'shell',
      run: 'date -u > /out/report.txt',
      needs: ['greet'],
      env: {},
      network: false,
      resources: { cpu: 1, memoryMB: 256, timeoutSec: 600, tmpMB: 64, pids: 256, outMB: 1024, fds: 1024, logMB: 64 },
    });
  });

  it('inherits spec.network unless the task says otherwise', async () => {
    const src = [
      'apiVersion: maestro/v1',
      'kind: Workflow',
      'metadata: {name: net}',
      'spec:',
      '  region: EU',
      '  resourceClass: small',
      '  network: true',
      '  tasks:',
      '    - {id: a, uses: shell, run: "true"}',
      '    - {id: b, uses: shell, run: "true", network: false}',
    ].join('\n');
    const r = await validateManifestSource(src, { file: 'net.yaml' });
    expect(r.diagnostics).toEqual([]);
    expect(r.manifest!.manifest.spec.tasks.map((t) => t.network)).toEqual([true, false]);
    expect(r.manifest!.manifest.spec.network).toBe(true);
  });
});

describe('topoOrder', () => {
  it('puts dependencies first and breaks ties by declaration order', () => {
    const order = topoOrder(wf([task('report', ['b', 'a']), task('b', ['root']), task('a', ['root']), task('root'), task('lone')]));
    expect(order.map((t) => t.id)).toEqual(['root', 'b', 'a', 'report', 'lone']);
  });

  it('keeps declaration order when there are no edges', () => {
    expect(topoOrder(wf([task('c'), task('a'), task('b')])).map((t) => t.id)).toEqual(['c', 'a', 'b']);
  });

  it('refuses a cycle with a named error', () => {
    expect(() => topoOrder(wf([task('a', ['b']), task('b', ['a'])]))).toThrow(/a, b/);
  });
});
