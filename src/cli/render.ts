/**
 * All human-form terminal output. Engine functions return plain data; --json prints that data as is,
 * and the renderers here turn the same data into text. Local and remote modes share these.
 */
import chalk from 'chalk';

/**
 * The colour level for this output (0 = plain), following no-color.org and FORCE_COLOR:
 * machine output (--json, CI formats) is always plain; FORCE_COLOR=0|false forces plain and
 * FORCE_COLOR=1|2|3 (or empty/true) forces colour; otherwise NO_COLOR (only when non-empty),
 * TERM=dumb, a non-TTY stdout or CI give plain output.
 * @example colorLevel({ NO_COLOR: '' }, true, false) // 1: an empty NO_COLOR does not disable colour
 */
export function colorLevel(env: Readonly<Record<string, string | undefined>>, isTty: boolean, machine: boolean): 0 | 1 | 2 | 3 {
  if (machine) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n === 2 || n === 3 ? n : 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.TERM === 'dumb' || !isTty) return 0;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') return 0;
  return 1;
}

/** Sets chalk's level for this process (see colorLevel). */
export function configureColor(env: Readonly<Record<string, string | undefined>>, isTty: boolean, machine: boolean): void {
  const level = colorLevel(env, isTty, machine);
  chalk.level = level === 0 ? 0 : (Math.max(level, chalk.level) as 1 | 2 | 3);
}

/**
 * Columns to lay human output out in: the terminal's width, else $COLUMNS; a terminal that reports 0
 * columns counts as 100 wide; a pipe without $COLUMNS is not limited (scripts get whole cells).
 * Never under 40.
 */
export function terminalWidth(
  stream: { columns?: number; isTTY?: boolean } = process.stdout,
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  const fromTty = stream.columns && stream.columns > 0 ? stream.columns : 0;
  const fromEnv = Number(env.COLUMNS);
  const w = fromTty || (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : stream.isTTY ? 100 : Infinity);
  return Math.max(40, w);
}

/**
 * Sizes in one convention everywhere: IEC binary units (1 KiB = 1024 B), one decimal above bytes.
 * @example bytes(500_000_000) // '476.8 MiB'
 */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? String(v) : v.toFixed(1)} ${units[i]}`;
}

export const style = {
  ok: (s: string) => chalk.green(s),
  bad: (s: string) => chalk.red(s),
  warn: (s: string) => chalk.yellow(s),
  dim: (s: string) => chalk.dim(s),
  bold: (s: string) => chalk.bold(s),
  key: (s: string) => chalk.cyan(s),
};

/**
 * Align rows of cells into columns (first row is the header), fitting `width` columns: when too wide,
 * the widest columns are narrowed (cells cut with "…") until the table fits or every column is at
 * its floor (its header's width, or 5 characters when even the headers do not fit).
 */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>, width = terminalWidth()): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
  }
  // Columns narrow down to their header's width, then (very narrow terminals) down to 5 characters.
  let floor = widths.map((w, i) => Math.min(w, Math.max(5, visibleLength(rows[0]![i] ?? ''))));
  const sum = (ws: number[]) => ws.reduce((a, b) => a + b, 0) + 2 * (ws.length - 1);
  if (sum(floor) > width) floor = widths.map((w) => Math.min(w, 5));
  const total = () => sum(widths);
  while (total() > width) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (w > floor[i]! && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) break;
    widths[widest] = Math.max(floor[widest]!, widths[widest]! - (total() - width));
  }
  return rows
    .map((row, r) => {
      const line = row
        .map((cell, i) => {
          // biome-ignore lint/suspicious/noFocusedTests: `fit` here is this module's cell fitter, not a focused test
          const c = fit(cell, widths[i]!);
          return i === row.length - 1 ? c : c + ' '.repeat(widths[i]! - visibleLength(c));
        })
        .join('  ');
      return r === 0 ? style.bold(line) : line;
    })
    .join('\n');
}

/** Cuts a cell to `w` visible characters with an ellipsis (colour codes dropped when cut). */
function fit(cell: string, w: number): string {
  if (visibleLength(cell) <= w) return cell;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matches the ESC of ANSI colour sequences, to measure text without them
  const plain = cell.replace(/\u001b\[[0-9;]*m/g, '');
  return `${plain.slice(0, Math.max(0, w - 1))}…`;
}

/** key: value lines with aligned keys. */
export function fields(pairs: ReadonlyArray<readonly [string, string]>): string {
  const w = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${style.key(k.padEnd(w))}  ${v}`).join('\n');
}

/** USD with two decimals (four below one cent). */
export function usd(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toFixed(2)}`;
}

function visibleLength(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matches the ESC of ANSI colour sequences, to measure text without them
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
