/**
 * `policy test --coverage`: which rule heads and expressions the tests evaluated, reported in the shape
 * of `opa test --coverage --format json` (per file `covered` / `not_covered` ranges, line counts and a
 * percentage; totals), and, for a failed `--threshold`, the uncovered lines with their source text.
 * Like OPA: a head is covered when its rule produced a value, an expression when it was evaluated;
 * `some` declarations do not count; a line counts once.
 */

import type { ModuleFile } from './loader.js';
import type { Expr, Module, Rule } from './rego/ast.js';
import { parseModule } from './rego/index.js';

export interface CoveragePosition {
  row: number;
  col?: number;
}

export interface CoverageRange {
  start: CoveragePosition;
  end: CoveragePosition;
  /** OPA's reason a range is not covered: `index_excluded` (its rule index skipped the body). */
  kinds?: string[];
}

/** One file, as OPA prints it (empty and zero fields left out). */
export interface FileCoverage {
  covered?: CoverageRange[];
  not_covered?: CoverageRange[];
  covered_lines?: number;
  not_covered_lines?: number;
  coverage?: number;
}

/** `opa test --coverage --format json`. */
export interface CoverageReport {
  files: Record<string, FileCoverage>;
  covered_lines: number;
  not_covered_lines: number;
  coverage: number;
}

/** An uncovered line, for the threshold failure message. */
export interface UncoveredLine {
  file: string;
  row: number;
  text: string;
}

/** Collects covered locations while tests run (pass `record` as EvalOptions.coverage). */
export class CoverageRecorder {
  private readonly seen = new Map<string, Set<string>>();
  private readonly excluded = new Map<string, Set<string>>();
  /** Locations recorded (bounded by the policy's size: one entry per distinct source position). */
  readonly record = (loc: { file: string; row: number; col: number }, kind?: 'index_excluded'): void => {
    const map = kind === 'index_excluded' ? this.excluded : this.seen;
    let s = map.get(loc.file);
    if (!s) {
      s = new Set();
      map.set(loc.file, s);
    }
    s.add(`${loc.row}:${loc.col}`);
  };

  has(file: string, row: number, col: number): boolean {
    return this.seen.get(file)?.has(`${row}:${col}`) ?? false;
  }

  /** An expression of a body that OPA's rule index skipped (reported `kinds: ["index_excluded"]` when not covered). */
  indexExcluded(file: string, row: number, col: number): boolean {
    return this.excluded.get(file)?.has(`${row}:${col}`) ?? false;
  }
}

interface Item {
  range: CoverageRange;
  covered: boolean;
}

/**
 * Build the report from the modules and what was recorded.
 * @example const rep = coverageReport(modules, recorder); rep.coverage // 87.5
 */
export function coverageReport(modules: readonly ModuleFile[], rec: CoverageRecorder): CoverageReport {
  const files: Record<string, FileCoverage> = {};
  let covered = 0;
  let notCovered = 0;
  for (const m of [...modules].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const items = itemsOf(parseModule(m), m.text, rec, m.path);
    const cov = uniqueRanges(items.filter((i) => i.covered).map((i) => i.range));
    const not = uniqueRanges(items.filter((i) => !i.covered && !cov.some((c) => contains(c, i.range))).map((i) => i.range));
    for (const r of not) if (r.start.col !== undefined && rec.indexExcluded(m.path, r.start.row, r.start.col)) r.kinds = ['index_excluded'];
    const fc: FileCoverage = {};
    const cl = rowCount(cov);
    const nl = rowCount(not);
    if (cov.length > 0) fc.covered = cov;
    if (not.length > 0) fc.not_covered = not;
    if (cl > 0) fc.covered_lines = cl;
    if (nl > 0) fc.not_covered_lines = nl;
    if (cl + nl > 0 && cl > 0) fc.coverage = (100 * cl) / (cl + nl);
    files[m.path] = fc;
    covered += cl;
    notCovered += nl;
  }
  return { files, covered_lines: covered, not_covered_lines: notCovered, coverage: covered + notCovered === 0 ? 0 : (100 * covered) / (covered + notCovered) };
}

/**
 * The uncovered lines with their text, in file and line order.
 * @example uncoveredLines(report, modules)[0] // { file: 'quota.rego', row: 12, text: 'at_cap if in_use >= cap' }
 */
export function uncoveredLines(report: CoverageReport, modules: readonly ModuleFile[]): UncoveredLine[] {
  const out: UncoveredLine[] = [];
  for (const [file, fc] of Object.entries(report.files)) {
    const lines = modules.find((m) => m.path === file)?.text.split('\n') ?? [];
    const rows = new Set<number>();
    for (const r of fc.not_covered ?? []) for (let row = r.start.row; row <= r.end.row; row++) rows.add(row);
    for (const row of [...rows].sort((a, b) => a - b)) out.push({ file, row, text: (lines[row - 1] ?? '').trim() });
  }
  return out;
}

// Every rule head and every expression (bodies, else branches, comprehensions, every), with its range.
function itemsOf(mod: Module, text: string, rec: CoverageRecorder, file: string): Item[] {
  const lines = text.split('\n');
  const items: Item[] = [];
  const seen = new Set<string>();
  const add = (row: number, col: number, end: CoveragePosition): void => {
    const key = `${row}:${col}`;
    if (seen.has(key)) return;
    seen.add(key);
    items.push({ range: { start: { row, col }, end }, covered: rec.has(file, row, col) });
  };
  const visitRule = (r: Rule): void => {
    add(r.loc.row, r.loc.col, headEnd(lines, r.loc.row, r.loc.col));
    visit(r);
    for (const e of r.elses) visitRule(e);
  };
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    const o = x as Record<string, unknown>;
    if (typeof o.negated === 'boolean' && typeof o.kind === 'string' && o.loc) {
      const e = o as unknown as Expr;
      if (e.kind !== 'some') add(e.loc.row, e.loc.col, exprEnd(lines, e.loc.row, e.loc.col));
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'loc' && k !== 'module' && k !== 'elses') visit(v);
  };
  for (const r of mod.rules) visitRule(r);
  return items;
}

// Scans source from (row, col) to where the construct ends (brackets balanced, strings, raw strings
// and comments skipped); `stop` ends it early at depth 0. Returns the last non-blank position.
function scan(lines: string[], row: number, col: number, stop: (ch: string, rest: string, seenAssign: boolean) => boolean): CoveragePosition {
  let depth = 0;
  let assign = false;
  let last: CoveragePosition = { row, col };
  let inRaw = false;
  for (let r = row; r <= lines.length && r < row + 10_000; r++) {
    const line = lines[r - 1] ?? '';
    for (let c = r === row ? col - 1 : 0; c < line.length; c++) {
      const ch = line[c]!;
      if (inRaw) {
        if (ch === '`') inRaw = false;
        last = { row: r, col: c + 2 };
        continue;
      }
      if (ch === '#') break;
      if (depth === 0 && !(r === row && c === col - 1) && stop(ch, line.slice(c), assign)) return last;
      if (ch === '"') {
        let j = c + 1;
        while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
        c = j;
      } else if (ch === '`') inRaw = true;
      else if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) {
        if (depth === 0) return last;
        depth--;
      } else if (depth === 0 && (line.startsWith(':=', c) || (ch === '=' && !'=!<>:'.includes(line[c + 1] ?? '') && !'=!<>:'.includes(line[c - 1] ?? ''))))
        assign = true;
      if (ch !== ' ' && ch !== '\t' && ch !== '\r') last = { row: r, col: c + 2 };
    }
    if (depth === 0 && !inRaw) return last;
  }
  return last;
}

// An expression ends at the end of its line (or at ";") outside brackets.
function exprEnd(lines: string[], row: number, col: number): CoveragePosition {
  return scan(lines, row, col, (ch) => ch === ';');
}

// A head ends before " if", before "{" opening the body, or at the end of its line.
function headEnd(lines: string[], row: number, col: number): CoveragePosition {
  return scan(lines, row, col, (ch, rest, assign) => (!assign && ch === '{') || /^\s(if|else)\b/.test(rest));
}

function contains(a: CoverageRange, b: CoverageRange): boolean {
  const startsWithin = a.start.row < b.start.row || (a.start.row === b.start.row && (a.start.col ?? 0) <= (b.start.col ?? 0));
  const endsWithin = a.end.row > b.end.row || (a.end.row === b.end.row && (a.end.col ?? 0) >= (b.end.col ?? 0));
  return startsWithin && endsWithin;
}

function uniqueRanges(rs: CoverageRange[]): CoverageRange[] {
  const m = new Map<string, CoverageRange>();
  for (const r of rs) m.set(`${r.start.row}:${r.start.col}:${r.end.row}:${r.end.col}`, r);
  return [...m.values()].sort(
    (a, b) => a.start.row - b.start.row || (a.start.col ?? 0) - (b.start.col ?? 0) || a.end.row - b.end.row || (a.end.col ?? 0) - (b.end.col ?? 0),
  );
}

function rowCount(rs: CoverageRange[]): number {
  const rows = new Set<number>();
  for (const r of rs) for (let row = r.start.row; row <= r.end.row; row++) rows.add(row);
  return rows.size;
}
