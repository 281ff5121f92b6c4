#!/usr/bin/env node
// Hands argv to oclif. Runs the esbuild bundle (dist/bundle, ADR 0025) when the build made one
// (MAESTRO_NO_BUNDLE=1 skips it), else the compiled modules. The few commands scripts call in loops
// (--version, whoami, status) first try the fast path, which does not load oclif (ADR 0033;
// MAESTRO_NO_FAST_PATH=1 skips it); it hands back anything it does not understand for sure.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node >= 22.1 keeps compiled code on disk between runs (NODE_COMPILE_CACHE, default under the OS
// temp dir); Node 20 has no such cache and skips this.
module.enableCompileCache?.();

const argv = process.argv.slice(2);
const bundled = process.env.MAESTRO_NO_BUNDLE !== '1' && existsSync(new URL('../dist/bundle/main.js', import.meta.url));
const fast =
  (argv[0] === '--version' || argv[0] === 'whoami' || argv[0] === 'status') &&
  process.env.MAESTRO_NO_FAST_PATH !== '1' &&
  (await (await import(bundled ? '../dist/bundle/fast.js' : '../dist/src/cli/fast-path.js')).fastRun(argv));
if (fast) {
  // done: the fast path ran the command
} else if (bundled) {
  await (await import('../dist/bundle/main.js')).execute();
} else {
  const { execute } = await import('@oclif/core/execute');
  await execute({ dir: import.meta.url });
}
