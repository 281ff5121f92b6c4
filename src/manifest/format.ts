/** The one-line text form of a diagnostic (kept free of the YAML parser so it loads cheaply). */
import type { ManifestDiagnostic } from './manifest.types.js';

/**
 * One diagnostic as a line: `<file>:<line>:<col> <field>: <message>`.
 * @example formatDiagnostic(d) // 'bad.yaml:11:16 tasks[1].needs[0]: unknown task "biuld" (did you mean "build"?)'
 */
export function formatDiagnostic(d: ManifestDiagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.field}: ${d.message}`;
}
