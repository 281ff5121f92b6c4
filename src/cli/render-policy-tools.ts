/**
 * Human output of the OPA-tooling commands: `policy build`, `policy test --coverage`, `policy fmt`.
 */
import type { BuildReport } from '../policy/index.js';

/** `policy build`: what was written, one line per file. */
export function renderBuildReport(r: BuildReport): string {
  const lines = [
    `wrote ${r.output}${r.signed ? ' (signed)' : ''}: revision ${JSON.stringify(r.revision)}, roots [${r.roots.map((x) => JSON.stringify(x)).join(', ')}]`,
  ];
  for (const f of r.files) lines.push(`  ${f.name} (${f.bytes} bytes)`);
  return lines.join('\n');
}

/** `policy test --threshold` missed: OPA's line, then every uncovered line as file:line: source. */
export function renderCoverageShortfall(s: { message: string; uncovered: ReadonlyArray<{ file: string; row: number; text: string }> }): string {
  const lines = [s.message, ...(s.uncovered.length > 0 ? ['Lines not covered:'] : []), ...s.uncovered.map((u) => `  ${u.file}:${u.row}: ${u.text}`)];
  return lines.join('\n');
}

/** `policy fmt`: the formatted text, the diffs, or the names of files that would change. */
export function renderFormatReport(r: { mode: string; files: ReadonlyArray<{ file: string; changed: boolean; output?: string }> }): string {
  if (r.mode === 'print')
    return r.files
      .map((f) => f.output ?? '')
      .join('')
      .replace(/\n$/, '');
  if (r.mode === 'diff')
    return r.files
      .map((f) => f.output ?? '')
      .join('')
      .replace(/\n$/, '');
  if (r.mode === 'write')
    return r.files
      .filter((f) => f.changed)
      .map((f) => `formatted ${f.file}`)
      .join('\n');
  return r.files
    .filter((f) => f.changed)
    .map((f) => f.file)
    .join('\n');
}
