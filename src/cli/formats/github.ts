/**
 * GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=T::message`, one line per
 * finding, with the documented escaping (data: % CR LF; properties: also : and ,).
 */
import type { CaseReport, CaseResult } from './formats.types.js';

/** Escapes a command's message (data). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value (file, title): data escaping plus `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(level: 'error' | 'warning' | 'notice', c: CaseResult): string {
  const props: string[] = [];
  if (c.file) props.push(`file=${escapeProperty(c.file)}`);
  if (c.file && c.line) props.push(`line=${c.line}`);
  if (c.file && c.line && c.column) props.push(`col=${c.column}`);
  props.push(`title=${escapeProperty(`${c.ruleId}: ${c.name}`)}`);
  const text = `${c.message ?? c.status}${c.detail ? `\n${c.detail}` : ''}`;
  return `::${level} ${props.join(',')}::${escapeData(text)}`;
}

/**
 * One workflow command per failing, erroring or warning case, then a `::notice::` summary.
 * @example writeGitHub(report) // '::error file=wf.yaml,line=3,title=…::unknown task "x"\n::notice::…'
 */
export function writeGitHub(report: CaseReport): string {
  const lines: string[] = [];
  for (const c of report.cases) {
    if (c.status === 'fail' || c.status === 'error') lines.push(command('error', c));
    else if (c.status === 'warn') lines.push(command('warning', c));
  }
  const n = (s: string) => report.cases.filter((c) => c.status === s).length;
  lines.push(
    `::notice title=${escapeProperty(report.tool)}::${escapeData(`${report.cases.length} checked: ${n('pass')} passed, ${n('fail')} failed, ${n('error')} errors, ${n('warn')} warnings, ${n('skip')} skipped`)}`,
  );
  return `${lines.join('\n')}\n`;
}
