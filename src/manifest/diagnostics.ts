/** Collects located diagnostics for one manifest file and formats them. */
import { formatDiagnostic } from './format.js';
import type { ManifestDiagnostic } from './manifest.types.js';
import { formatPath, locate, type ParsedSource, type PathSegment, type Position } from './parse.js';

/** Stable diagnostic codes (the `code` of each --json error). */
export type DiagnosticCode =
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
    this.list.push({ file: this.file, line: pos.line, column: pos.column, field, message, code });
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
    return unique
      .map((d, i) => ({ d, i }))
      .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
      .map(({ d }) => d);
  }
}
