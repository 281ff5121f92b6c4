/** The cost room's errors: every failure it raises on purpose carries a stable code. */
import { EngineError, type EngineErrorOptions, UsageError } from '../core/errors.js';

/** A failure inside the cost governor (exit 1 unless a kind says otherwise). */
export class CostError extends EngineError {
  constructor(code: string, message: string, options: EngineErrorOptions = {}) {
    super(code, message, options);
  }
}

/** A price table or flag the user supplied is wrong (exit 2). */
export class PriceTableError extends UsageError {}
