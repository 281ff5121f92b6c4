/** The runner room's errors: sandbox set-up, executions, scheduling. */
import { EngineError, type EngineErrorOptions } from '../core/errors.js';

/** Any failure the runner raises on purpose (exit 1 unless a kind says otherwise). */
export class RunnerError extends EngineError {
  constructor(code: string, message: string, options: EngineErrorOptions = {}) {
    super(code, message, options);
  }
}
