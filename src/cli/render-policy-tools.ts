/**
 * Human output of the OPA-tooling commands: `policy build`, `policy test --coverage`, `policy fmt`.
 */
import type { BuildReport } from '../policy/index.js';

/** `policy build`: what was written, one line per file. */
export function renderBuildReport(r: BuildReport): string {
  const lines = [`wrote ${r.output}${r.signed ? ' (signed)' : ''}: revision ${JSON.stringify(r.revision)}, roots [${r.roots.map((x) => JSON.stringify(x)).join(', ')}]`];
  for (const f of r.files) lines.push(`  ${f.name} (${f.bytes} bytes)`);
  return lines.join('\n');
}
