/**
 * The file side of `policy fmt`: which files (arguments, directories walked for .rego, sorted),
 * formatting each, and printing, diffing, checking or writing (atomically) as asked.
 */
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PolicyError } from '../errors.js';
import { unifiedDiff } from './diff.js';
import { formatRego } from './index.js';

export interface FormatRequest {
  paths: readonly string[];
  /** print: formatted text; diff: unified diffs; check: list what would change; write: rewrite files. */
  mode: 'print' | 'diff' | 'check' | 'write';
  cwd?: string;
  /** Source read from stdin instead of paths (print/diff/check only). */
  stdin?: string;
}

export interface FormatFileResult {
  file: string;
  changed: boolean;
  /** print mode: the formatted text; diff mode: the diff (empty when unchanged). */
  output?: string;
}

export interface FormatReport {
  mode: FormatRequest['mode'];
  files: FormatFileResult[];
  changed: number;
}

/**
 * Format files or stdin; parse errors throw (RegoError, with file:line:col).
 * @example formatFiles({ paths: ['policies/'], mode: 'check' }).changed // 0
 */
export function formatFiles(req: FormatRequest): FormatReport {
  const inputs: Array<{ file: string; text: string; abs?: string }> = [];
  if (req.stdin !== undefined) inputs.push({ file: '<stdin>', text: req.stdin });
  for (const p of req.paths) {
    const abs = resolve(req.cwd ?? process.cwd(), p);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) throw new PolicyError('POLICY_PATH_NOT_FOUND', `${p}: no such file or directory`, { kind: 'not_found' });
    const files = st.isDirectory() ? walk(abs).map((f) => ({ abs: f, file: join(p, f.slice(abs.length + 1)) })) : [{ abs, file: p }];
    for (const f of files) inputs.push({ ...f, text: readFileSync(f.abs, 'utf8') });
  }
  const files: FormatFileResult[] = [];
  for (const inp of inputs) {
    const formatted = formatRego(inp.text, inp.file);
    const changed = formatted !== inp.text;
    const res: FormatFileResult = { file: inp.file, changed };
    if (req.mode === 'print') res.output = formatted;
    if (req.mode === 'diff') res.output = changed ? unifiedDiff(inp.file, inp.text, formatted) : '';
    if (req.mode === 'write' && changed && inp.abs) {
      const tmp = `${inp.abs}.fmt-${process.pid}`;
      writeFileSync(tmp, formatted);
      renameSync(tmp, inp.abs);
    }
    files.push(res);
  }
  return { mode: req.mode, files, changed: files.filter((f) => f.changed).length };
}

function walk(dir: string, depth = 0): string[] {
  if (depth > 64) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...walk(p, depth + 1));
    else if (st?.isFile() && name.endsWith('.rego')) out.push(p);
  }
  return out;
}
