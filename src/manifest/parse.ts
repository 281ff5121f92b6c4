/**
 * YAML parsing with source positions: the document keeps its nodes so that any field path
 * (["spec", "tasks", 1, "needs", 0]) can be mapped back to a 1-based line and column.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

export type PathSegment = string | number;

export interface Position {
  line: number;
  column: number;
}

export interface ParsedSource {
  doc: Document.Parsed;
  lines: LineCounter;
  /** The plain data (aliases resolved), or undefined when the YAML has syntax errors. */
  data: unknown;
  syntaxErrors: Array<Position & { message: string }>;
}

/** Parse YAML text once, keeping positions; syntax errors are returned, never thrown. */
export function parseSource(source: string): ParsedSource {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const syntaxErrors = doc.errors.map((e) => {
    const at = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    const column = firstTokenColumn(source, lines, at.line, at.col, e.code);
    return { line: at.line, column, message: yamlMessage(e.code, e.message, source, e.pos[0]) };
  });
  let data: unknown;
  if (syntaxErrors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      syntaxErrors.push({ line: 1, column: 1, message: cleanYamlMessage((err as Error).message) });
    }
  }
  return { doc, lines, data, syntaxErrors };
}

/** yaml reports some indentation errors at column 1: point at the line's first token instead. */
function firstTokenColumn(source: string, lines: LineCounter, line: number, col: number, code: string): number {
  if (col !== 1 || code === 'TAB_AS_INDENT') return col;
  const start = lines.lineStarts[line - 1];
  if (start === undefined) return col;
  const text = source.slice(start, lines.lineStarts[line] ?? source.length);
  const indent = /^ */.exec(text)![0].length;
  return indent < text.trimEnd().length ? indent + 1 : col;
}

function yamlMessage(code: string, message: string, source: string, offset: number): string {
  const key = code === 'DUPLICATE_KEY' ? /^["']?([^"':\n]+)/.exec(source.slice(offset))?.[1]?.trim() : undefined;
  return key ? `duplicate key "${key}" in the same mapping` : cleanYamlMessage(message);
}

/** "Map keys must be unique at line 6, column 1:\n\n..." → "map keys must be unique". */
function cleanYamlMessage(message: string): string {
  const first = message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/[.:]$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/**
 * The position of the node at `path`. With `key: true` the position of the mapping key that holds
 * the last segment (used for unknown fields). When the path does not exist, the deepest existing
 * node's position (e.g. the parent mapping of a missing required field).
 */
export function locate(parsed: ParsedSource, path: readonly PathSegment[], opts: { key?: boolean } = {}): Position {
  let node: Node | null | undefined = parsed.doc.contents;
  let keyNode: Node | undefined;
  let lastGood: Node | undefined = node ?? undefined;
  for (const seg of path) {
    node = resolveAlias(parsed.doc, node);
    keyNode = undefined;
    let next: Node | null | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      keyNode = pair?.key as Node | undefined;
      next = pair ? ((pair.value as Node | null) ?? keyNode) : undefined;
      // An empty value ("name:") has no text of its own: point at its key instead.
      if (pair && isScalar(next) && next.value === null && next.source === '') next = keyNode;
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg] as Node | undefined;
    }
    if (next === undefined || next === null) {
      node = undefined;
      break;
    }
    node = next;
    lastGood = next;
  }
  const target = opts.key && keyNode ? keyNode : (node ?? lastGood);
  return positionOf(parsed, target);
}

function resolveAlias(doc: Document.Parsed, node: Node | null | undefined): Node | null | undefined {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? node;
  return node;
}

function positionOf(parsed: ParsedSource, node: Node | undefined): Position {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = parsed.lines.linePos(offset);
  return { line, column: col };
}

/** Render a path as the user reads it: tasks[1].needs[0], metadata.labels["app/name"]. */
export function formatPath(path: readonly PathSegment[]): string {
  const segs = path[0] === 'spec' && path.length > 1 ? path.slice(1) : path;
  let out = '';
  for (const seg of segs) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(root)' : out;
}
