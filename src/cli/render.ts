/**
 * All human-form terminal output. Engine functions return plain data; --json prints that data as is,
 * and the renderers here turn the same data into text. Local and remote modes share these.
 */
import chalk from 'chalk';

/** Colour off when NO_COLOR is set, stdout is not a TTY, CI is set, or --json. */
export function configureColor(env: Readonly<Record<string, string | undefined>>, isTty: boolean, json: boolean): void {
  const off = json || !isTty || (env.NO_COLOR !== undefined) || (env.CI !== undefined && env.CI !== '' && env.CI !== 'false');
  chalk.level = off ? 0 : chalk.level || 1;
}

export const style = {
  ok: (s: string) => chalk.green(s),
  bad: (s: string) => chalk.red(s),
  warn: (s: string) => chalk.yellow(s),
  dim: (s: string) => chalk.dim(s),
  bold: (s: string) => chalk.bold(s),
  key: (s: string) => chalk.cyan(s),
};

/** Align rows of cells into columns (first row is the header). */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows
    .map((row, r) => {
      const line = row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell)))).join('  ');
      return r === 0 ? style.bold(line) : line;
    })
    .join('\n');
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
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes to measure width
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
