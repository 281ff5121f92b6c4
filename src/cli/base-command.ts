/**
 * The base of every maestro command: global flags, the Context, JSON vs human output, and the single
 * place where errors become one stderr line and an exit status.
 */
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type * as Interfaces from '@oclif/core/interfaces';
import type { MaestroApi } from '../client/api.js';
import type { Context } from '../core/context.js';
import { EXIT, isEngineError } from '../core/errors.js';
import type { Session } from '../tenancy/session.js';
import { CommandRuntime, type ErrorReport, type RuntimeFlags } from './runtime.js';

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
  /** Everything around the engine call that does not need oclif (shared with the fast path, ADR 0033). */
  private readonly rt = new CommandRuntime(
    () => this.id,
    () => this.flags as RuntimeFlags | undefined,
  );

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
    this.rt.start();
  }

  /** The oclif-free runtime of this command, for the shared command bodies (src/cli/hot-commands.ts). */
  protected get runtime(): CommandRuntime {
    return this.rt;
  }

  /** Set by Ctrl-C: the command ends with exit status 130 (128 + SIGINT). */
  protected get interrupted(): boolean {
    return this.rt.interrupted;
  }

  /** The engine context for this invocation (built once). */
  protected get ctx(): Context {
    return this.rt.ctx;
  }

  /**
   * Auto-init the state home, open the store and authenticate the caller. Closed when the command ends.
   * Says once on stderr when it created the state home.
   */
  protected session(): Promise<Session> {
    return this.rt.session();
  }

  /**
   * Refuses, before anything is created, to act on the local state home while MAESTRO_URL points at a
   * control plane (the user meant the remote one). Commands with --remote never get here remotely.
   */
  protected requireLocal(): void {
    this.rt.requireLocal();
  }

  /** The engine to talk to: embedded, or a remote control plane with --remote / MAESTRO_URL. */
  protected api(): Promise<MaestroApi> {
    return this.rt.api();
  }

  public override async finally(err: Error | undefined): Promise<unknown> {
    await this.rt.close();
    return super.finally(err);
  }

  protected get jsonMode(): boolean {
    return this.rt.jsonMode;
  }

  /** The CI format asked for with --format junit|github|sarif, if any. */
  protected get machineFormat(): 'junit' | 'github' | 'sarif' | undefined {
    return this.rt.machineFormat;
  }

  /** Prints a CaseReport in the --format asked for (call only when machineFormat is set). */
  protected async emitFormat(report: import('./formats/index.js').CaseReport): Promise<void> {
    const { writeFormat } = await import('./formats/index.js');
    process.stdout.write(await writeFormat(this.machineFormat!, report));
  }

  /** Print the result: JSON when --json, otherwise the human form. */
  protected emit<R>(result: R, human: (r: R) => string): void {
    this.rt.emit(result, human);
  }

  /** A note for humans on stderr (never pollutes --json stdout; silent with --quiet). */
  protected note(line: string): void {
    this.rt.note(line);
  }

  protected get quiet(): boolean {
    return this.rt.quiet;
  }

  /** Ends the command with an exit status after output has been written (e.g. a denied run); 130 after Ctrl-C. */
  protected finish(code: number): void {
    if (this.interrupted) this.exit(130);
    if (code !== 0) this.exit(code);
  }

  public override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    // oclif's own exit (this.exit) carries through untouched.
    if (err?.oclif && typeof err.oclif.exit === 'number' && err.constructor?.name === 'ExitError') throw err;
    let report: ErrorReport;
    if (!isEngineError(err) && err?.oclif && typeof err.oclif.exit === 'number') {
      // Parser errors (missing argument, unknown flag, bad option): usage.
      const { describeUsageError } = await import('./usage.js');
      const usage = `maestro ${(this.id ?? '').replace(/:/g, ' ')} ${Object.entries(this.ctor.args ?? {})
        .map(([n, a]) => (a.required ? `<${n}>` : `[${n}]`))
        .join(' ')}`.trim();
      const better = describeUsageError(err, this.id ?? '', usage, Object.keys({ ...this.ctor.flags, ...(this.ctor as typeof BaseCommand).baseFlags }));
      report = {
        code: EXIT.usage,
        payload: {
          code: 'USAGE',
          message: better?.message ?? firstLine(err.message),
          hint: better?.hint ?? `see: maestro ${this.id?.replace(/:/g, ' ') ?? ''} --help`.trim(),
        },
      };
    } else {
      report = CommandRuntime.report(err);
    }
    return this.exit(this.rt.writeError(err, report));
  }
}

function firstLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('See more help'));
  return lines.join('; ');
}
