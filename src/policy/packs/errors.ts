/** Errors of the policy packs room (catalog, signatures, decisions). */
import { EngineError, NotFoundError, UsageError } from '../../core/errors.js';

/** A pack could not be read, verified or evaluated (exit 1). */
export class PackError extends EngineError {}

/** No pack with that id (exit 5). */
export class PackNotFoundError extends NotFoundError {}

/** Bad flags or files given for a pack operation (exit 2). */
export class PackUsageError extends UsageError {}
