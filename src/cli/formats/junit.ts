/**
 * JUnit XML in the common shape CI servers read (Jenkins, GitLab, GitHub test reporters):
 * testsuites > testsuite > testcase with failure / error / skipped / system-out children.
 */
import type { CaseReport, CaseResult } from './formats.types.js';

/** XML text and attribute escaping; characters XML 1.0 cannot carry are dropped. */
export function xmlEscape(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 forbids these control characters; the class strips them on purpose
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** Attributes hold one line (parsers normalise newlines in attributes to spaces anyway). */
const attrs = (pairs: Array<[string, string | number | undefined]>): string =>
  pairs
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) =>
        ` ${k}="${xmlEscape(
          String(v)
            .replace(/\r\n|\r|\n/g, ' ')
            .trim(),
        )}"`,
    )
    .join('');

const seconds = (cases: CaseResult[]): string => cases.reduce((s, c) => s + (c.durationSec ?? 0), 0).toFixed(3);

function counts(cases: CaseResult[]): Array<[string, number]> {
  return [
    ['tests', cases.length],
    ['failures', cases.filter((c) => c.status === 'fail').length],
    ['errors', cases.filter((c) => c.status === 'error').length],
    ['skipped', cases.filter((c) => c.status === 'skip').length],
  ];
}

function testcase(c: CaseResult): string {
  const head = `    <testcase${attrs([
    ['name', c.name],
    ['classname', c.suite],
    ['time', (c.durationSec ?? 0).toFixed(3)],
    ['file', c.file],
    ['line', c.line],
  ])}`;
  const where = c.file ? `${c.file}${c.line ? `:${c.line}${c.column ? `:${c.column}` : ''}` : ''}: ` : '';
  const body = `${where}${c.message ?? ''}${c.detail ? `\n${c.detail}` : ''}`;
  const children: string[] = [];
  if (c.status === 'fail')
    children.push(
      `      <failure${attrs([
        ['message', c.message ?? 'failed'],
        ['type', c.ruleId],
      ])}>${xmlEscape(body)}</failure>`,
    );
  if (c.status === 'error')
    children.push(
      `      <error${attrs([
        ['message', c.message ?? 'error'],
        ['type', c.ruleId],
      ])}>${xmlEscape(body)}</error>`,
    );
  if (c.status === 'skip') children.push(`      <skipped${attrs([['message', c.message]])}/>`);
  if (c.status === 'warn') children.push(`      <system-out>${xmlEscape(`warning: ${body}`)}</system-out>`);
  return children.length === 0 ? `${head}/>` : `${head}>\n${children.join('\n')}\n    </testcase>`;
}

/**
 * The report as a JUnit XML document (one testsuite per suite, in first-seen order).
 * @example writeJUnit({ tool: 'maestro policy test', cases }) // '<?xml version="1.0" …'
 */
export function writeJUnit(report: CaseReport): string {
  const suites = new Map<string, CaseResult[]>();
  for (const c of report.cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs([['name', report.tool], ...counts(report.cases), ['time', seconds(report.cases)]])}>`,
  ];
  for (const [name, cases] of suites) {
    lines.push(`  <testsuite${attrs([['name', name], ...counts(cases), ['time', seconds(cases)]])}>`);
    for (const c of cases) lines.push(testcase(c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
