/** Errors of the disclosure room (export, zip, upload). A failed verification is a result, not an error. */
import { EngineError, type EngineErrorOptions, NotFoundError, UsageError } from '../core/errors.js';

/** Export, zip or upload failed (exit 1). */
export class DiscloseError extends EngineError {
  constructor(code: string, message: string, options: EngineErrorOptions = {}) {
    super(code, message, options);
  }
}

/** The execution or pack named by the user does not exist (exit 5). */
export class DiscloseNotFoundError extends NotFoundError {}

/** Bad flags or arguments (exit 2). */
export class DiscloseUsageError extends UsageError {}
