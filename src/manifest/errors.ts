/** The manifest room's errors. */
import { UsageError } from '../core/errors.js';
import { formatDiagnostic } from './format.js';
import type { ManifestDiagnostic } from './manifest.types.js';

/** A manifest that failed validation; the message lists every diagnostic, one per line (exit 2). */
export class ManifestError extends UsageError {
  readonly diagnostics: ManifestDiagnostic[];

  constructor(file: string, diagnostics: ManifestDiagnostic[]) {
    const n = diagnostics.length;
    const lines = diagnostics.map(formatDiagnostic).join('\n');
    super('MANIFEST_INVALID', `${n} error${n === 1 ? '' : 's'} in ${file}:\n${lines}`, {
      hint: `fix the manifest, then check it with: maestro manifest validate ${file}`,
      details: { file, errors: diagnostics },
    });
    this.diagnostics = diagnostics;
  }
}
