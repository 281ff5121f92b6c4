/**
 * What a maestro command does around its engine call, without oclif: the Context, the session and the
 * API (local or remote), JSON vs human output, Ctrl-C, clean-up, and the one place engine errors become
 * one stderr line and an exit status. BaseCommand (under oclif) and the start-up fast path (ADR 0033,
 * no oclif loaded) both run commands through it, so their output and exit statuses are the same code.
 */
import type { MaestroApi } from '../client/api.js';
import { type Context, createContext } from '../core/context.js';
import { EngineError, EXIT, isEngineError, UsageError } from '../core/errors.js';
import type { Session } from '../tenancy/session.js';
import { configureColor } from './render.js';

/** The flags every command runtime reads (the global ones, plus --remote and --format where they exist). */
export interface RuntimeFlags {
  json?: boolean;
  quiet?: boolean;
  remote?: string;
  format?: string;
  /** serve and worker: the PostgreSQL store (ADR 0028). */
  'database-url'?: string;
}

/** An error already turned into its stderr payload and exit status. */
export interface ErrorReport {
  code: number;
  payload: Record<string, unknown>;
}

export class CommandRuntime {
  private context: Context | undefined;
  private readonly sessions: Session[] = [];
  private apiInstance: MaestroApi | undefined;
  private readonly closers: Array<() => Promise<void>> = [];
  /** Set by Ctrl-C: the command ends with exit status 130 (128 + SIGINT). */
  interrupted = false;
  private readonly onInterrupt = (): void => {
    this.interrupted = true;
    // Nobody else (a running execution) is cleaning up: stop now, as the shell expects.
    if (process.listenerCount('SIGINT') <= 1) {
      process.stderr.write('\ninterrupted\n');
      for (const s of this.sessions.splice(0)) s.close();
      process.exit(130);
    }
  };

  /**
   * @param id the command id (`tenants:members:list`), read when needed (oclif sets it late)
   * @param flags the parsed flags, read when needed (undefined before parsing, or when parsing failed)
   */
  constructor(
    private readonly id: () => string | undefined,
    private readonly flags: () => RuntimeFlags | undefined,
  ) {}

  /** Call once the flags are parsed: Ctrl-C handling and the colour level. */
  start(): void {
    process.on('SIGINT', this.onInterrupt);
    configureColor(process.env, process.stdout.isTTY === true, this.jsonMode || this.machineFormat !== undefined);
  }

  /** The engine context for this invocation (built once). */
  get ctx(): Context {
    // A command declaring --database-url (serve, worker) points the store at PostgreSQL (ADR 0028).
    const databaseUrl = this.flags()?.['database-url'];
    this.context ??= createContext(typeof databaseUrl === 'string' && databaseUrl !== '' ? { databaseUrl } : {});
    return this.context;
  }

  /** `maestro <words of the id>`, as the user types it. */
  private get commandLine(): string {
    return `maestro ${(this.id() ?? '').replace(/:/g, ' ')}`;
  }

  /**
   * Auto-init the state home, open the store and authenticate the caller. Closed when the command ends.
   * Says once on stderr when it created the state home.
   */
  async session(): Promise<Session> {
    this.requireLocal();
    const { openSession } = await import('../tenancy/session.js');
    const session = await openSession(this.ctx);
    this.sessions.push(session);
    if (session.created) {
      this.note(`maestro: created state home ${this.ctx.home} (database, default tenant, keys, identity ${session.identity.subject} as admin)`);
    }
    return session;
  }

  /**
   * Refuses, before anything is created, to act on the local state home while MAESTRO_URL points at a
   * control plane (the user meant the remote one). Commands with --remote never get here remotely.
   */
  requireLocal(): void {
    const url = process.env.MAESTRO_URL?.trim();
    if (!url || this.flags()?.remote) return;
    const cmd = this.commandLine;
    throw new UsageError('LOCAL_ONLY', `${cmd} works on the local state home only, and MAESTRO_URL is set (${url}); nothing was done or created`, {
      hint: `to act locally: env -u MAESTRO_URL ${cmd} ...; remotely available: whoami, plan, run, status, logs, cancel, tenants, policy packs list|show, disclose export, login --code`,
    });
  }

  /** The engine to talk to: embedded, or a remote control plane with --remote / MAESTRO_URL. */
  async api(): Promise<MaestroApi> {
    if (this.apiInstance) return this.apiInstance;
    const { LocalApi, RemoteApi } = await import('../client/api.js');
    const remote = this.flags()?.remote?.trim();
    if (remote) {
      const { ControlPlaneClient } = await import('../client/http.js');
      const { remoteToken } = await import('../client/token.js');
      const client = new ControlPlaneClient({ baseUrl: remote, token: remoteToken(this.ctx, remote) });
      this.closers.push(() => client.close());
      this.apiInstance = new RemoteApi(client);
    } else {
      let session: Promise<Session> | undefined;
      this.apiInstance = new LocalApi(() => (session ??= this.session()));
    }
    return this.apiInstance;
  }

  /** Closes sessions and clients; exit status 130 after Ctrl-C. Safe to call twice. */
  async close(): Promise<void> {
    process.removeListener('SIGINT', this.onInterrupt);
    if (this.interrupted) process.exitCode = 130;
    for (const s of this.sessions.splice(0)) s.close();
    for (const c of this.closers.splice(0)) await c().catch(() => undefined);
  }

  get jsonMode(): boolean {
    const f = this.flags();
    return f?.json === true || f?.format === 'json';
  }

  /** The CI format asked for with --format junit|github|sarif, if any. */
  get machineFormat(): 'junit' | 'github' | 'sarif' | undefined {
    const f = this.flags()?.format;
    return f === 'junit' || f === 'github' || f === 'sarif' ? f : undefined;
  }

  get quiet(): boolean {
    return this.flags()?.quiet === true;
  }

  /** Print the result: JSON when --json, otherwise the human form. */
  emit<R>(result: R, human: (r: R) => string): void {
    if (this.jsonMode) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (!this.quiet) {
      const text = human(result);
      if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A note for humans on stderr (never pollutes --json stdout; silent with --quiet). */
  note(line: string): void {
    if (this.quiet) return;
    process.stderr.write(`${line}\n`);
  }

  /** The payload and exit status of an error that is not oclif's (an engine error, or a bug). */
  static report(err: unknown): ErrorReport {
    if (isEngineError(err)) return { code: err.exitCode, payload: err.toJSON() };
    return {
      code: EXIT.error,
      payload: { code: 'INTERNAL', message: (err as Error | undefined)?.message ?? String(err), hint: 'set MAESTRO_DEBUG=1 for the stack trace' },
    };
  }

  /**
   * Writes an error as one stderr line (`{"error":…}` under --json), plus stacks with MAESTRO_DEBUG=1,
   * and returns the exit status to end with (130 after Ctrl-C).
   */
  writeError(err: unknown, report: ErrorReport): number {
    const { payload } = report;
    if (this.jsonMode) {
      process.stderr.write(`${JSON.stringify({ error: payload })}\n`);
    } else {
      const hint = typeof payload.hint === 'string' ? ` (hint: ${payload.hint})` : '';
      process.stderr.write(`error: ${String(payload.message)}${hint}\n`);
    }
    if (process.env.MAESTRO_DEBUG === '1') {
      const e = err as Error | undefined;
      if (e?.stack) process.stderr.write(`${e.stack}\n`);
      if (err instanceof EngineError && err.cause instanceof Error && err.cause.stack) {
        process.stderr.write(`caused by: ${err.cause.stack}\n`);
      }
    }
    return this.interrupted ? 130 : report.code;
  }
}
