/** Collects located diagnostics for one manifest file and formats them. */
import { formatDiagnostic } from './format.js';
import type { ManifestDiagnostic } from './manifest.types.js';
import { formatPath, locate, type ParsedSource, type PathSegment, type Position } from './parse.js';

/** Stable diagnostic codes (the `code` of each --json error). */
export type DiagnosticCode =
  | 'NOT_YAML_TEXT'
  | 'TOO_MANY_ERRORS'
  | 'YAML_SYNTAX'
  | 'EMPTY_MANIFEST'
  | 'UNKNOWN_FIELD'
  | 'REQUIRED'
  | 'TYPE'
  | 'ENUM'
  | 'CONST'
  | 'PATTERN'
  | 'RANGE'
  | 'LENGTH'
  | 'ITEMS'
  | 'DUPLICATE_TASK_ID'
  | 'UNKNOWN_NEED'
  | 'SELF_DEPENDENCY'
  | 'DUPLICATE_NEED'
  | 'CYCLE'
  | 'OVER_CLASS_LIMIT'
  | 'WORKSPACE_ESCAPE'
  | 'WORKSPACE_MISSING'
  | 'WORKSPACE_NOT_DIRECTORY'
  | 'WORKSPACE_UNREADABLE';

/** Longest message and field shown; longer ones are cut with an ellipsis. */
export const MAX_MESSAGE_CHARS = 240;
export const MAX_FIELD_CHARS = 120;
/** At most this many diagnostics per file; the rest are counted in one closing diagnostic. */
export const MAX_DIAGNOSTICS = 50;

/**
 * Make text safe and short for a terminal: control characters and unpaired surrogates shown as
 * escapes (never raw bytes), cut at `max` characters with an ellipsis.
 */
export function readable(text: string, max: number): string {
  const safe = text
    .replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the class matches the control characters a diagnostic escapes before printing them
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(/[\n\t]/g, ' ');
  if (safe.length <= max) return safe;
  const cut = safe.slice(0, max - 1);
  return `${/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

export class DiagnosticSink {
  readonly list: ManifestDiagnostic[] = [];

  constructor(
    readonly file: string,
    readonly parsed: ParsedSource,
  ) {}

  /** Report a problem at `path` (the key itself with `key: true`, or at an explicit `at`). */
  add(path: readonly PathSegment[], message: string, code: DiagnosticCode, opts: { key?: boolean; at?: readonly PathSegment[] } = {}): void {
    const pos = locate(this.parsed, opts.at ?? path, { key: opts.key });
    this.addAt(pos, formatPath(path), message, code);
  }

  addAt(pos: Position, field: string, message: string, code: DiagnosticCode): void {
    this.list.push({
      file: this.file,
      line: pos.line,
      column: pos.column,
      field: readable(field, MAX_FIELD_CHARS),
      message: readable(message, MAX_MESSAGE_CHARS),
      code,
    });
  }

  /** Diagnostics in source order (line, column), duplicates dropped, insertion order kept on ties. */
  sorted(): ManifestDiagnostic[] {
    const seen = new Set<string>();
    const unique = this.list.filter((d) => {
      const k = formatDiagnostic(d);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const ordered = unique
      .map((d, i) => ({ d, i }))
      .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
      .map(({ d }) => d);
    if (ordered.length <= MAX_DIAGNOSTICS) return ordered;
    const last = ordered[MAX_DIAGNOSTICS - 1]!;
    const more = ordered.length - MAX_DIAGNOSTICS;
    return [
      ...ordered.slice(0, MAX_DIAGNOSTICS),
      {
        file: this.file,
        line: last.line,
        column: last.column,
        field: '(file)',
        message: `${more} more error${more === 1 ? '' : 's'} not shown (fix these first)`,
        code: 'TOO_MANY_ERRORS',
      },
    ];
  }
}
