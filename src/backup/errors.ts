/** Errors of the backup room. */
import { EngineError, type EngineErrorOptions, NotFoundError, UsageError } from '../core/errors.js';

/** A backup or restore failed (exit 1): unreadable target, digest mismatch, wrong passphrase. */
export class BackupError extends EngineError {
  constructor(code: string, message: string, options: EngineErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Bad flags, a non-empty restore home, a missing passphrase (exit 2). */
export class BackupUsageError extends UsageError {}

/** No backup at the source, or the named backup does not exist (exit 5). */
export class BackupNotFoundError extends NotFoundError {}
