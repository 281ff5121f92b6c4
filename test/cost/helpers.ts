/** Shared test helpers for the cost room: temp state homes, manifests on disk, synthetic records. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Context, createContext } from '../../src/core/context.js';

/** A fresh temp dir. */
export function tempDir(prefix = 'mc-cost-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A context with its own state home and a fixed clock. */
export function testContext(nowMs = Date.parse('2026-03-10T12:00:00Z')): Context & { setNow(ms: number): void } {
  let now = nowMs;
  const home = tempDir('mc-home-');
  const ctx = createContext({ env: { MAESTRO_HOME: home, USER: 'tester' }, home, cwd: home, clock: { now: () => now } });
  return Object.assign(ctx, {
    setNow: (ms: number) => {
      now = ms;
    },
  });
}

export interface TaskDef {
  id: string;
  run?: string;
  needs?: string[];
  resources?: Record<string, number>;
}

/** Write a manifest YAML into `dir` and return its path. */
export function writeManifest(dir: string, name: string, tasks: TaskDef[], resourceClass = 'small'): string {
  const lines = [
    'apiVersion: maestro/v1',
    'kind: Workflow',
    `metadata:\n  name: ${name}`,
    'spec:',
    '  region: US',
    `  resourceClass: ${resourceClass}`,
    '  tasks:',
  ];
  for (const t of tasks) {
    lines.push(`    - id: ${t.id}`, '      uses: shell', `      run: ${JSON.stringify(t.run ?? `echo ${t.id}`)}`);
    if (t.needs?.length) lines.push(`      needs: [${t.needs.join(', ')}]`);
    if (t.resources) lines.push(`      resources: ${JSON.stringify(t.resources)}`);
  }
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
