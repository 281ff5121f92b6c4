#!/usr/bin/env node
// Hands argv to oclif; nothing else lives here. Runs the esbuild bundle (dist/bundle, ADR 0025) when
// the build made one (MAESTRO_NO_BUNDLE=1 skips it), else the compiled modules.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/main.js', import.meta.url);
if (existsSync(bundle) && process.env.MAESTRO_NO_BUNDLE !== '1') {
  await (await import(bundle.href)).execute();
} else {
  const { execute } = await import('@oclif/core/execute');
  await execute({ dir: import.meta.url });
}
