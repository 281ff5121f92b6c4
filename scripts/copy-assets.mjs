// Copies non-TypeScript engine assets (SQL migrations of both dialects, JSON data, profiles, the
// PostgreSQL bridge thread's .mjs script) next to the compiled code.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const exts = ['.sql', '.json', '.yaml', '.rego', '.mjs'];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (exts.some((e) => name.endsWith(e))) cpSync(p, join(root, 'dist', relative(root, p)), { recursive: true });
  }
}
if (existsSync(join(root, 'src'))) walk(join(root, 'src'));
