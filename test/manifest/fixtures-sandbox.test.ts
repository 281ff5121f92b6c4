/**
 * The example manifests must run for real in a sandbox like the runner's: read-only /usr and /etc only, the
 * workspace read-only at /workspace, a writable /out, a tmpfs /tmp, no network, an empty environment.
 * Each task runs once here, in topological order (long-running.yaml is left out: it sleeps ~20 s by design).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topoOrder, validateManifestFile, type TaskSpec } from '../../src/manifest/index.js';

const quick = ['hello', 'build-test-report', 'large-resource', 'region-us', 'region-eu', 'region-apac'];

function runInSandbox(task: TaskSpec, workspace: string | undefined): { status: number | null; stderr: string } {
  const out = mkdtempSync(join(tmpdir(), `out-${task.id}-`));
  const envArgs = Object.entries({ PATH: '/usr/bin:/bin', HOME: '/tmp', ...task.env }).flatMap(([k, v]) => ['--setenv', k, v]);
  const args = [
    '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64', '--ro-bind', '/etc', '/etc', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
    ...(workspace ? ['--ro-bind', workspace, '/workspace'] : []),
    '--bind', out, '/out', '--unshare-all', '--die-with-parent', '--clearenv', ...envArgs,
    '/bin/sh', '-c', task.run,
  ];
  const r = spawnSync('bwrap', args, { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stderr: r.stderr + (r.error ? String(r.error) : '') };
}

describe('example manifests run in a bwrap sandbox', () => {
  it.each(quick)('%s: every task exits 0', async (name) => {
    const m = (await validateManifestFile(`fixtures/manifests/${name}.yaml`)).manifest!;
    for (const task of topoOrder(m)) {
      const r = runInSandbox(task, m.manifest.spec.workspace);
      expect({ task: task.id, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ task: task.id, status: 0, stderr: '' });
    }
  }, 20_000);
});
