/**
 * Human output of the policy commands (eval, test, check). The JSON forms are the engine's own data.
 */
import type { ExplanationEntry, OpaErrorItem, OpaEvalOutput, PolicyCheckReport, PolicyTestReport, PolicyTestResult } from '../policy/index.js';
import { stringifyJson } from '../policy/index.js';
import { style, table } from './render.js';

/** `file:row:col: code: message`, OPA's error line (without location when there is none). */
export function formatPolicyError(e: OpaErrorItem): string {
  const loc = e.location ? `${e.location.file}:${e.location.row}:${e.location.col}: ` : '';
  return `${loc}${e.code}: ${e.message}`;
}

/** One line per error. */
export function renderPolicyErrors(errors: readonly OpaErrorItem[]): string {
  return errors.map(formatPolicyError).join('\n');
}

/**
 * `policy eval` for humans, like `opa eval --format pretty`: the value as indented JSON, "undefined",
 * or a table when the query binds variables; then the explanation when asked for.
 */
export function renderEvalPretty(out: OpaEvalOutput): string {
  const parts: string[] = [];
  const results = out.result ?? [];
  if (results.length === 0) parts.push('undefined');
  else if (results.some((r) => r.bindings !== undefined)) parts.push(bindingsTable(results));
  else for (const r of results) for (const e of r.expressions) parts.push(stringifyJson(e.value, 2));
  if (out.explanation) parts.push(renderExplanation(out.explanation, (out.result?.length ?? 0) > 0));
  return parts.join('\n');
}

// Variables as columns, plus any expression whose value is not plain `true` (as opa's pretty table).
function bindingsTable(results: NonNullable<OpaEvalOutput['result']>): string {
  const vars: string[] = [];
  for (const r of results) for (const k of Object.keys(r.bindings ?? {})) if (!vars.includes(k)) vars.push(k);
  const exprCols = (results[0]?.expressions ?? [])
    .map((e, i) => ({ i, text: e.text }))
    .filter(({ i }) => results.some((r) => r.expressions[i]?.value !== true));
  const rows = results.map((r) => [
    ...vars.map((v) => (r.bindings && v in r.bindings ? stringifyJson(r.bindings[v]) : '')),
    ...exprCols.map(({ i }) => stringifyJson(r.expressions[i]?.value)),
  ]);
  return table([[...vars, ...exprCols.map((c) => c.text)], ...rows]);
}

/** The rules that produced each value, with bindings and file:line. */
export function renderExplanation(entries: readonly ExplanationEntry[], defined = false): string {
  if (entries.length === 0) {
    // A value with no rule body behind it came from the rule's `default`.
    return style.dim(
      defined
        ? "explanation: no rule body matched, so the default value applied (the rule's `default` declaration)"
        : 'explanation: no rule produced a value (the query is undefined)',
    );
  }
  const lines = [style.bold('explanation:')];
  for (const e of entries) {
    lines.push(`  ${style.key(e.rule)} = ${stringifyJson(e.value)}  ${style.dim(`(${e.location.file}:${e.location.row})`)}`);
    const b = Object.entries(e.bindings);
    if (b.length > 0) lines.push(`    ${style.dim('with')} ${b.map(([k, v]) => `${k} = ${stringifyJson(v)}`).join(', ')}`);
  }
  return lines.join('\n');
}

/**
 * `policy test` for humans, like `opa test`: failing and erroring tests always, passing ones with -v,
 * grouped by file, then the summary.
 */
export function renderTestReport(report: PolicyTestReport, verbose: boolean): string {
  const lines: string[] = [];
  let file: string | undefined;
  for (const r of report.results) {
    if (!verbose && (r.pass || r.skip)) continue;
    if (r.location.file !== file) {
      if (file !== undefined) lines.push('');
      file = r.location.file;
      lines.push(`${file}:`);
    }
    lines.push(...testLines(r, verbose));
  }
  if (report.results.length === 0) return 'no test cases found';
  if (lines.length > 0) lines.push('-'.repeat(80));
  const { pass, fail, error, skip, total } = report.counts;
  lines.push(style.ok(`PASS: ${pass}/${total}`));
  if (fail > 0) lines.push(style.bad(`FAIL: ${fail}/${total}`));
  if (error > 0) lines.push(style.bad(`ERROR: ${error}/${total}`));
  if (skip > 0) lines.push(style.warn(`SKIPPED: ${skip}/${total}`));
  return lines.join('\n');
}

function testLines(r: PolicyTestResult, verbose: boolean): string[] {
  if (r.skip) return [`${r.package}.${r.name}: ${style.warn('SKIPPED')}`];
  const status = r.error ? style.bad('ERROR') : r.fail ? style.bad('FAIL') : style.ok('PASS');
  const out = [`${r.package}.${r.name}: ${status} (${formatDuration(r.duration_ns)})`];
  if (r.error) out.push(`  ${formatPolicyError(r.error)}`);
  if (r.output && (verbose || !r.pass)) out.push(...r.output.map((l) => `  ${style.dim(l)}`));
  return out;
}

/** Go-like short durations: 850µs, 1.2ms, 3.45s. */
export function formatDuration(ns: number): string {
  if (ns < 1_000) return `${ns}ns`;
  if (ns < 1_000_000) return `${Math.round(ns / 1_000)}µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(1)}ms`;
  return `${(ns / 1_000_000_000).toFixed(2)}s`;
}

/** `policy check`: nothing on stdout when clean; one line per error otherwise. */
export function renderCheckReport(report: PolicyCheckReport): string {
  return renderPolicyErrors(report.errors);
}
