/**
 * The Context: the only source of time, randomness, environment and filesystem roots for the engine.
 * Tests and deterministic exports pass their own; the CLI builds one from the process.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface Random {
  uuid(): string;
  bytes(n: number): Buffer;
}

export interface Context {
  readonly clock: Clock;
  readonly random: Random;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The state home: database, keys, token, executions. */
  readonly home: string;
  /** The working directory relative paths are resolved against. */
  readonly cwd: string;
  /** A PostgreSQL URL for the store (--database-url); else $MAESTRO_DATABASE_URL, else the SQLite file in home. */
  readonly databaseUrl?: string;
}

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: Random = { uuid: () => randomUUID(), bytes: (n) => randomBytes(n) };

/** Where state lives: $MAESTRO_HOME, else ~/.maestro. */
export function resolveHome(env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): string {
  const explicit = env.MAESTRO_HOME;
  if (explicit && explicit.trim() !== '') return resolve(cwd, explicit);
  return join(env.HOME && env.HOME !== '' ? env.HOME : homedir(), '.maestro');
}

/**
 * Build the process context.
 * @example
 *   const ctx = createContext({ env: { MAESTRO_HOME: '/tmp/mh' } });
 */
export function createContext(overrides: Partial<Context> = {}): Context {
  const env = overrides.env ?? process.env;
  const cwd = overrides.cwd ?? process.cwd();
  return {
    clock: overrides.clock ?? systemClock,
    random: overrides.random ?? systemRandom,
    env,
    cwd,
    home: overrides.home ?? resolveHome(env, cwd),
    ...(overrides.databaseUrl ? { databaseUrl: overrides.databaseUrl } : {}),
  };
}

/** ISO-8601 UTC timestamp with milliseconds, the store's timestamp format (sorts lexicographically). */
export function isoNow(ctx: Pick<Context, 'clock'>): string {
  return new Date(ctx.clock.now()).toISOString();
}

/** The local subject used for the bootstrap identity: $MAESTRO_SUBJECT, else <user>@local. */
export function localSubject(env: Readonly<Record<string, string | undefined>>): string {
  if (env.MAESTRO_SUBJECT && env.MAESTRO_SUBJECT.trim() !== '') return env.MAESTRO_SUBJECT.trim();
  let user = env.USER ?? env.LOGNAME;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'user';
    }
  }
  return `${user}@local`;
}

/** mkdir -p with a mode, returning the path. */
export function ensureDir(path: string, mode = 0o700): string {
  mkdirSync(path, { recursive: true, mode });
  return path;
}
