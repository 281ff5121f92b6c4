/**
 * Usage errors from oclif's parser, rewritten for people: a missing argument names it and shows the
 * command line to type; an unknown flag suggests the closest one ("did you mean --format?").
 */

interface ParseErrorLike {
  message: string;
  args?: Array<{ name: string; description?: string }>;
  flags?: string[];
}

/** Levenshtein distance, bounded: strings over 64 characters are compared by their first 64. */
export function editDistance(a: string, b: string): number {
  const x = a.slice(0, 64);
  const y = b.slice(0, 64);
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

/**
 * The closest candidate within a third of the word's length (at least 2 edits), or undefined.
 * @example closest('--formta', ['--format', '--json']) // '--format'
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * `{ message, hint }` for a parser error of command `id` (e.g. `plan`), or undefined to keep oclif's.
 * `usage` is the command line, e.g. `maestro plan <manifest>`; `flagNames` its flags (long names).
 */
export function describeUsageError(
  err: ParseErrorLike,
  id: string,
  usage: string,
  flagNames: readonly string[],
): { message: string; hint: string } | undefined {
  const cmd = `maestro ${id.replace(/:/g, ' ')}`;
  if (err.message.startsWith('Missing') && err.args && err.args.length > 0) {
    const names = err.args.map((a) => `<${a.name}>`).join(' ');
    const what = err.args.map((a) => (a.description ? `<${a.name}> (${a.description.replace(/\.$/, '')})` : `<${a.name}>`)).join(', ');
    return {
      message: `${cmd}: missing ${err.args.length === 1 ? 'argument' : 'arguments'} ${what}`,
      hint: `${usage || `${cmd} ${names}`}; more: ${cmd} --help`,
    };
  }
  if (err.flags && err.flags.length > 0) {
    const unknown = err.flags[0]!;
    const base = unknown.split('=')[0]!;
    const near = closest(
      base,
      flagNames.map((f) => `--${f}`),
    );
    return { message: `${cmd}: unknown flag ${base}${near ? `; did you mean ${near}?` : ''}`, hint: `flags: ${cmd} --help` };
  }
  return undefined;
}
