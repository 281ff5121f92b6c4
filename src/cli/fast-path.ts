/**
 * The start-up fast path (ADR 0033): `maestro --version`, `maestro whoami` and `maestro status`, the
 * commands scripts call in loops, run without loading oclif. The argv is parsed here only when every
 * word is one this parser knows for sure (a small, exact grammar); anything else (help, -h, a typo, an
 * unknown or repeated flag, `--`, DEBUG output, WSL for --version) returns undefined before any side
 * effect, and oclif runs as usual. The command bodies, output and errors are the same code as under oclif (hot-commands.ts,
 * runtime.ts); test/cli/fast-path.test.ts compares both paths byte for byte.
 */
import { statusBody, whoamiBody } from './hot-commands.js';
import { CommandRuntime, type RuntimeFlags } from './runtime.js';
import { printVersion } from './version.js';

/** A command line the fast path understands. */
export interface FastCommand {
  id: 'whoami' | 'status';
  flags: Required<Pick<RuntimeFlags, 'json' | 'quiet'>> & { remote?: string; all: boolean; explain: boolean };
  /** status's optional execution id. */
  arg?: string;
}

/** The boolean flags each fast command takes (all default false, none has an environment variable). */
const BOOLEANS: Record<FastCommand['id'], Record<string, 'json' | 'quiet' | 'all' | 'explain'>> = {
  whoami: { '--json': 'json', '--quiet': 'quiet', '-q': 'quiet' },
  status: { '--json': 'json', '--quiet': 'quiet', '-q': 'quiet', '--all': 'all', '--explain': 'explain' },
};

/**
 * Parses `whoami …` or `status …` exactly as oclif would, or returns undefined when the words are not
 * certainly understood (oclif then parses them and reports any mistake).
 * @example parseFast(['status', 'ex_1', '--json']) // { id: 'status', arg: 'ex_1', flags: { json: true, … } }
 */
export function parseFast(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): FastCommand | undefined {
  const id = argv[0];
  if (id !== 'whoami' && id !== 'status') return undefined;
  const booleans = BOOLEANS[id];
  const flags: FastCommand['flags'] = { json: false, quiet: false, all: false, explain: false };
  const seen = new Set<string>();
  let remote: string | undefined;
  let arg: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    const bool = booleans[word];
    if (bool !== undefined) {
      if (seen.has(bool)) return undefined; // repeated: oclif decides
      seen.add(bool);
      flags[bool] = true;
    } else if (word === '--remote' || word.startsWith('--remote=')) {
      const value = word === '--remote' ? argv[++i] : word.slice('--remote='.length);
      if (remote !== undefined || value === undefined || value === '' || value.startsWith('-')) return undefined;
      remote = value;
    } else if (id === 'status' && arg === undefined && word !== '' && !word.startsWith('-')) {
      arg = word;
    } else {
      return undefined;
    }
  }
  // oclif: a flag given on the command line wins; otherwise its environment variable when non-empty.
  remote ??= env.MAESTRO_URL || undefined;
  if (remote !== undefined) flags.remote = remote;
  return { id, flags, ...(arg === undefined ? {} : { arg }) };
}

/**
 * Runs argv on the fast path when it can. Returns undefined, having done nothing, when oclif must run
 * it; otherwise the exit status to end with (the caller exits with it when non-zero, as oclif's error
 * handler does). On an error it has written the same stderr line as oclif's path.
 */
export async function fastRun(argv: readonly string[]): Promise<number | undefined> {
  if (argv[0] === '--version') return printVersion(argv) ? 0 : undefined;
  // oclif's own debug output (DEBUG=*) only comes from oclif. (WSL changes only --version's line.)
  if (process.env.DEBUG) return undefined;
  const cmd = parseFast(argv);
  if (!cmd) return undefined;
  const rt = new CommandRuntime(
    () => cmd.id,
    () => cmd.flags,
  );
  let code = 0;
  try {
    rt.start();
    if (cmd.id === 'whoami') await whoamiBody(rt);
    else await statusBody(rt, cmd.arg, cmd.flags);
  } catch (err) {
    code = rt.writeError(err, CommandRuntime.report(err));
  } finally {
    await rt.close();
  }
  return code;
}
