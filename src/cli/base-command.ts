/**
 * The base of every maestro command: global flags, the Context, JSON vs human output, and the single
 * place where errors become one stderr line and an exit status.
 */
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type * as Interfaces from '@oclif/core/interfaces';
import type { MaestroApi } from '../client/api.js';
import { type Context, createContext } from '../core/context.js';
import { EngineError, EXIT, isEngineError, UsageError } from '../core/errors.js';
import type { Session } from '../tenancy/session.js';
import { configureColor } from './render.js';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * `--remote` / MAESTRO_URL, spread into the flags of the commands that can act as a thin client
 * (whoami, plan, run, status, logs, cancel, tenants, policy packs list|show). Elsewhere the flag does
 * not exist, so `--remote` on a local-only command is a usage error rather than silently ignored.
 */
export const remoteFlag = {
  remote: Flags.string({
    description: 'URL of a maestro control plane to act as a thin client of (default: the embedded engine).',
    env: 'MAESTRO_URL',
    helpGroup: 'GLOBAL',
  }),
};

/**
 * `--format pretty|json|junit|github|sarif` for the commands whose results CI reads (policy test,
 * manifest validate, plan, run, disclose verify). `json` is the same as --json.
 */
export const formatFlag = {
  format: Flags.string({
    description: 'Output format: pretty (default), json (same as --json), or a CI format: junit (XML), github (workflow annotations), sarif (2.1.0).',
    options: ['pretty', 'json', 'junit', 'github', 'sarif'],
    default: 'pretty',
  }),
};

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print machine-readable JSON on stdout (nothing else goes to stdout).', default: false }),
    quiet: Flags.boolean({
      char: 'q',
      description: 'Print nothing but errors (and --json/--format output); the exit status tells the outcome.',
      default: false,
    }),
  };

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;
  private context: Context | undefined;
  private sessions: Session[] = [];
  private apiInstance: MaestroApi | undefined;
  private closers: Array<() => Promise<void>> = [];
  /** Set by Ctrl-C: the command ends with exit status 130 (128 + SIGINT). */
  protected interrupted = false;
  private readonly onInterrupt = (): void => {
    this.interrupted = true;
    // Nobody else (a running execution) is cleaning up: stop now, as the shell expects.
    if (process.listenerCount('SIGINT') <= 1) {
      process.stderr.write('\ninterrupted\n');
      for (const s of this.sessions.splice(0)) s.close();
      process.exit(130);
    }
  };

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: false,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
    process.on('SIGINT', this.onInterrupt);
    configureColor(process.env, process.stdout.isTTY === true, this.jsonMode || this.machineFormat !== undefined);
  }

  /** The engine context for this invocation (built once). */
  protected get ctx(): Context {
    // A command declaring --database-url (serve, worker) points the store at PostgreSQL (ADR 0028).
    const databaseUrl = (this.flags as Record<string, unknown> | undefined)?.['database-url'];
    this.context ??= createContext(typeof databaseUrl === 'string' && databaseUrl !== '' ? { databaseUrl } : {});
    return this.context;
  }

  /**
   * Auto-init the state home, open the store and authenticate the caller. Closed when the command ends.
   * Says once on stderr when it created the state home.
   */
  protected async session(): Promise<Session> {
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
  protected requireLocal(): void {
    const url = process.env.MAESTRO_URL?.trim();
    if (!url || (this.flags as { remote?: string }).remote) return;
    const cmd = `maestro ${(this.id ?? '').replace(/:/g, ' ')}`;
    throw new UsageError('LOCAL_ONLY', `${cmd} works on the local state home only, and MAESTRO_URL is set (${url}); nothing was done or created`, {
      hint: `to act locally: env -u MAESTRO_URL ${cmd} ...; remotely available: whoami, plan, run, status, logs, cancel, tenants, policy packs list|show, disclose export, login --code`,
    });
  }

  /** The engine to talk to: embedded, or a remote control plane with --remote / MAESTRO_URL. */
  protected async api(): Promise<MaestroApi> {
    if (this.apiInstance) return this.apiInstance;
    const { LocalApi, RemoteApi } = await import('../client/api.js');
    const remote = (this.flags as { remote?: string }).remote?.trim();
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

  public override async finally(err: Error | undefined): Promise<unknown> {
    process.removeListener('SIGINT', this.onInterrupt);
    if (this.interrupted) process.exitCode = 130;
    for (const s of this.sessions.splice(0)) s.close();
    for (const c of this.closers.splice(0)) await c().catch(() => undefined);
    return super.finally(err);
  }

  protected get jsonMode(): boolean {
    return this.flags?.json === true || (this.flags as { format?: string } | undefined)?.format === 'json';
  }

  /** The CI format asked for with --format junit|github|sarif, if any. */
  protected get machineFormat(): 'junit' | 'github' | 'sarif' | undefined {
    const f = (this.flags as { format?: string } | undefined)?.format;
    return f === 'junit' || f === 'github' || f === 'sarif' ? f : undefined;
  }

  /** Prints a CaseReport in the --format asked for (call only when machineFormat is set). */
  protected async emitFormat(report: import('./formats/index.js').CaseReport): Promise<void> {
    const { writeFormat } = await import('./formats/index.js');
    process.stdout.write(await writeFormat(this.machineFormat!, report));
  }

  /** Print the result: JSON when --json, otherwise the human form. */
  protected emit<R>(result: R, human: (r: R) => string): void {
    if (this.jsonMode) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (!this.quiet) {
      const text = human(result);
      if (text !== '') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** A note for humans on stderr (never pollutes --json stdout; silent with --quiet). */
  protected note(line: string): void {
    if (this.quiet) return;
    process.stderr.write(`${line}\n`);
  }

  protected get quiet(): boolean {
    return (this.flags as { quiet?: boolean } | undefined)?.quiet === true;
  }

  /** Ends the command with an exit status after output has been written (e.g. a denied run); 130 after Ctrl-C. */
  protected finish(code: number): void {
    if (this.interrupted) this.exit(130);
    if (code !== 0) this.exit(code);
  }

  public override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exit (this.exit) carries through untouched.
    if (err?.oclif && typeof err.oclif.exit === 'number' && err.constructor?.name === 'ExitError') throw err;
    const debug = process.env.MAESTRO_DEBUG === '1';
    let code: number;
    let payload: Record<string, unknown>;
    if (isEngineError(err)) {
      code = err.exitCode;
      payload = err.toJSON();
    } else if (err?.oclif && typeof err.oclif.exit === 'number') {
      // Parser errors (missing argument, unknown flag, bad option): usage.
      code = EXIT.usage;
      const { describeUsageError } = await import('./usage.js');
      const usage = `maestro ${(this.id ?? '').replace(/:/g, ' ')} ${Object.entries(this.ctor.args ?? {})
        .map(([n, a]) => (a.required ? `<${n}>` : `[${n}]`))
        .join(' ')}`.trim();
      const better = describeUsageError(err, this.id ?? '', usage, Object.keys({ ...this.ctor.flags, ...(this.ctor as typeof BaseCommand).baseFlags }));
      payload = {
        code: 'USAGE',
        message: better?.message ?? firstLine(err.message),
        hint: better?.hint ?? `see: maestro ${this.id?.replace(/:/g, ' ') ?? ''} --help`.trim(),
      };
    } else {
      code = EXIT.error;
      payload = { code: 'INTERNAL', message: err?.message ?? String(err), hint: 'set MAESTRO_DEBUG=1 for the stack trace' };
    }
    if (this.jsonMode) {
      process.stderr.write(`${JSON.stringify({ error: payload })}\n`);
    } else {
      const hint = typeof payload.hint === 'string' ? ` (hint: ${payload.hint})` : '';
      process.stderr.write(`error: ${String(payload.message)}${hint}\n`);
    }
    if (debug && err?.stack) process.stderr.write(`${err.stack}\n`);
    if (debug && err instanceof EngineError && err.cause instanceof Error && err.cause.stack) {
      process.stderr.write(`caused by: ${err.cause.stack}\n`);
    }
    return this.exit(this.interrupted ? 130 : code);
  }
}

function firstLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('See more help'));
  return lines.join('; ');
}
