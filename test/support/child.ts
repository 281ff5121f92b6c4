/**
 * Child processes running engine code from TypeScript source: the entry is bundled with esbuild into
 * node_modules/.cache (dependencies stay external and resolve from node_modules), with the PostgreSQL
 * bridge script and the migrations copied beside it.
 * @example const js = await buildChild('test/store/fixtures/pg-child.ts'); spawn(process.execPath, [js, ...args]); removeChild(js);
 */
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

export async function buildChild(entry: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outDir = join(ROOT, 'node_modules', '.cache', 'maestro-test-children', String(process.pid));
  mkdirSync(outDir, { recursive: true });

  const outfile = join(outDir, `${basename(entry, '.ts')}.mjs`);
  await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  copyFileSync(join(ROOT, 'src', 'store', 'pg', 'bridge-worker.mjs'), join(outDir, 'bridge-worker.mjs'));
  // The store finds its migrations next to itself (here: next to the bundle).
  cpSync(join(ROOT, 'src', 'store', 'migrations'), join(outDir, 'migrations'), { recursive: true });
  return outfile;
}

/** Remove a bundle made by buildChild (call it in afterAll). */
export function removeChild(js: string): void {
  rmSync(dirname(js), { recursive: true, force: true });
}
