#!/usr/bin/env node
// Hands argv to oclif. Runs the esbuild bundle (dist/bundle, ADR 0025) when the build made one
// (MAESTRO_NO_BUNDLE=1 skips it), else the compiled modules. The commands scripts call in loops
// (--version, whoami, status) first try the fast path, which does not load oclif (ADR 0033;
// MAESTRO_NO_FAST_PATH=1 skips it) and hands back anything it does not understand for sure. From the
// bundle it runs with a V8 code cache (MAESTRO_NO_CODE_CACHE=1 skips the cache).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// Node >= 22.1 keeps compiled modules on disk between runs: in $NODE_COMPILE_CACHE when set, else in the
// user's cache directory (not Node's default, the shared temp directory). Node 20 has no such cache.
if (module.enableCompileCache) {
  const { homedir } = await import('node:os');
  const xdg = process.env.XDG_CACHE_HOME?.startsWith('/') ? process.env.XDG_CACHE_HOME : `${homedir()}/.cache`;
  module.enableCompileCache(process.env.NODE_COMPILE_CACHE || `${xdg}/maestro-conductor/node-compile-cache`);
}

const argv = process.argv.slice(2);
const env = process.env;
const fastPath = env.MAESTRO_NO_FAST_PATH !== '1';
/** The fast path's exit status, or undefined when oclif runs the command. */
let code;
if (fastPath && argv[0] === '--version') {
  if ((await import('../dist/src/cli/version.js')).printVersion(argv)) code = 0;
}
const bundled = env.MAESTRO_NO_BUNDLE !== '1' && existsSync(new URL('../dist/bundle/main.js', import.meta.url));
if (fastPath && (argv[0] === 'whoami' || argv[0] === 'status')) {
  if (bundled) {
    const { loadCached } = await import('../dist/src/cli/code-cache.js');
    globalThis.__mcBundleRoot = new URL('../dist/bundle/', import.meta.url).href;
    const fast = loadCached(fileURLToPath(new URL('../dist/bundle/fast.cjs', import.meta.url)), {
      name: argv[0],
      disabled: env.MAESTRO_NO_CODE_CACHE === '1',
    });
    code = await fast.exports.fastRun(argv);
    if (code !== undefined) fast.save();
  } else {
    code = await (await import('../dist/src/cli/fast-path.js')).fastRun(argv);
  }
}
if (code !== undefined) {
  if (code !== 0) process.exit(code); // as oclif's error handler does
} else if (bundled) {
  await (await import('../dist/bundle/main.js')).execute();
} else {
  const { execute } = await import('@oclif/core/execute');
  await execute({ dir: import.meta.url });
}
