/**
 * The wire form of errors, shared by the server (EngineError → status + body) and the thin client
 * (status + body → EngineError), so a remote failure exits with the same code as a local one.
 */
import { EngineError, type ErrorKind } from '../core/errors.js';

export interface WireError {
  error: { code: string; message: string; kind: ErrorKind; hint?: string; field?: string; details?: Record<string, unknown> };
}

/** Token problems are 401 (who are you?); role and tenant refusals are 403 (you may not). */
const AUTHENTICATION_CODES = new Set([
  'NO_TOKEN',
  'TOKEN_MALFORMED',
  'TOKEN_ALG_NONE',
  'TOKEN_ALG_NOT_ALLOWED',
  'TOKEN_BAD_SIGNATURE',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_NO_TENANT',
  'TOKEN_NO_SUBJECT',
  'TOKEN_CLAIM_INVALID',
  'TOKEN_INVALID',
  'TOKEN_UNKNOWN_TENANT',
  'ENROLMENT_CODE_INVALID',
]);

/** Errors with a status of their own (the kinds map the rest): a full queue or too many open
 * enrolment codes (429), a duplicate tenant (409), the PostgreSQL store down (503, ADR 0028). */
const STATUS_CODES: Record<string, number> = { QUEUE_FULL: 429, TOO_MANY_CODES: 429, TENANT_EXISTS: 409, STORE_UNAVAILABLE: 503 };

export function statusForError(err: EngineError): number {
  const own = STATUS_CODES[err.code];
  if (own) return own;
  switch (err.kind) {
    case 'usage':
      return 400;
    case 'not_found':
      return 404;
    case 'auth':
      return AUTHENTICATION_CODES.has(err.code) ? 401 : 403;
    case 'denied':
      return 403;
    default:
      return 500;
  }
}

export function toWire(err: EngineError): WireError {
  return {
    error: {
      code: err.code,
      message: err.message,
      kind: err.kind,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.details ? { details: err.details } : {}),
    },
  };
}

const KINDS: readonly ErrorKind[] = ['error', 'usage', 'denied', 'auth', 'not_found'];

/** Rebuild an EngineError from a server's error response. */
export function fromWire(status: number, body: unknown): EngineError {
  const e = (body as Partial<WireError> | undefined)?.error;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    const kind = KINDS.includes(e.kind as ErrorKind) ? (e.kind as ErrorKind) : kindForStatus(status);
    return new EngineError(e.code, e.message, { kind, hint: e.hint, details: e.details });
  }
  return new EngineError('REMOTE_ERROR', `the control plane answered HTTP ${status}`, { kind: kindForStatus(status) });
}

function kindForStatus(status: number): ErrorKind {
  if (status === 400 || status === 413 || status === 415) return 'usage';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  return 'error';
}
