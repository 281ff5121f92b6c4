/**
 * One error shape for the whole engine. Every thrown error is a room's subclass of EngineError with a
 * stable SCREAMING_SNAKE `code`, a message written for the user and, where useful, a hint. The engine
 * never prints or exits: the CLI base command maps `kind` to an exit status once.
 */

/** What sort of failure this is; decides the process exit status (see README "Exit codes"). */
export type ErrorKind = 'error' | 'usage' | 'denied' | 'auth' | 'not_found';

/** Exit statuses documented in the README. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  denied: 3,
  auth: 4,
  not_found: 5,
} as const;

export interface EngineErrorOptions {
  kind?: ErrorKind;
  hint?: string;
  cause?: unknown;
  /** Extra structured detail for --json output (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * Base class of every error the engine throws on purpose.
 * @example
 *   throw new EngineError('TENANT_NOT_FOUND', 'tenant "acme" does not exist', { kind: 'not_found', hint: 'maestro tenants list' });
 */
export class EngineError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: EngineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = options.kind ?? 'error';
    this.hint = options.hint;
    this.details = options.details;
  }

  /** The process exit status for this error. */
  get exitCode(): number {
    return EXIT[this.kind];
  }

  /** Plain data for --json output. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

/** Bad input from the user (flags, arguments, files): exit 2. */
export class UsageError extends EngineError {
  constructor(code: string, message: string, options: Omit<EngineErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: 'usage' });
  }
}

/** Something named by the user does not exist: exit 5. */
export class NotFoundError extends EngineError {
  constructor(code: string, message: string, options: Omit<EngineErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: 'not_found' });
  }
}

/** Authentication or authorization refused: exit 4. */
export class AuthError extends EngineError {
  constructor(code: string, message: string, options: Omit<EngineErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: 'auth' });
  }
}

/** Denied by policy (quota, budget, any pack): exit 3. */
export class DeniedError extends EngineError {
  constructor(code: string, message: string, options: Omit<EngineErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: 'denied' });
  }
}

/** True for errors the engine raised on purpose (as opposed to bugs). */
export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}
