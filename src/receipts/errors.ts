/** Errors of the receipts room (keys, signing, verification). */
import { EngineError, type EngineErrorOptions, NotFoundError, UsageError } from '../core/errors.js';

/** A receipt or key operation failed (exit 1). */
export class ReceiptError extends EngineError {
  constructor(code: string, message: string, options: EngineErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A named key does not exist (exit 5). */
export class KeyNotFoundError extends NotFoundError {}

/** Bad key name, id or file given by the user (exit 2). */
export class KeyUsageError extends UsageError {}
