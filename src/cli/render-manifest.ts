/** Human output of the manifest commands. */
import { formatDiagnostic, type ValidationResult } from '../manifest/index.js';
import { style } from './render.js';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `ok: hello.yaml (workflow hello, 2 tasks)` */
export function renderManifestOk(r: ValidationResult): string {
  const m = r.manifest!.manifest;
  return `${style.ok('ok:')} ${r.file} (workflow ${m.metadata.name}, ${plural(m.spec.tasks.length, 'task')})`;
}

/** Every diagnostic line, then `N errors in <file>` (for stderr). */
export function renderManifestErrors(r: ValidationResult): string {
  const lines = r.diagnostics.map(formatDiagnostic);
  lines.push(style.bad(`${plural(r.diagnostics.length, 'error')} in ${r.file}`));
  return `${lines.join('\n')}\n`;
}
