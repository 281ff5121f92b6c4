/**
 * Pack annotations (spec §15.1): the leading comment block of policy.rego, YAML once the `# ` prefixes
 * are stripped. `title`, `summary` and `examples` (each `input`, optional `data`, expected `deny`/`warn`).
 */
import { parse as parseYaml } from 'yaml';
import { PackError } from './errors.js';

/** One annotated example and its expected outcome. */
export interface PackExample {
  input: Record<string, unknown>;
  data?: Record<string, unknown>;
  /** Expected: some deny rule fires (true) or none does (false). */
  deny: boolean;
  /** Expected warn outcome, when the example states one. */
  warn?: boolean;
  /** 1-based line of the example's `- input:` in policy.rego. */
  line: number;
}

export interface PackAnnotations {
  title: string;
  summary: string;
  examples: PackExample[];
}

/** The leading `#` comment lines of a Rego file, with their 1-based line numbers. */
function leadingComments(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (!raw.startsWith('#')) break;
    out.push({ line: i + 1, text: raw.replace(/^# ?/, '') });
  }
  return out;
}

/**
 * Parse the annotations of a pack's policy.rego.
 * @example parseAnnotations(readFileSync('policies/budget/policy.rego', 'utf8'), 'policies/budget/policy.rego').title // 'Budget'
 */
export function parseAnnotations(text: string, file: string): PackAnnotations {
  const block = leadingComments(text);
  if (block[0]?.text.trim() !== 'annotations:') {
    throw new PackError('PACK_ANNOTATIONS_MISSING', `${file}:1:1: the file does not start with an "# annotations:" comment block`, {
      hint: 'start policy.rego with "# annotations:", "# title: …", "# summary: …", "# examples:" (spec §15.1)',
    });
  }
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(block.map((l) => l.text).join('\n')) ?? {}) as Record<string, unknown>;
  } catch (cause) {
    throw new PackError('PACK_ANNOTATIONS_INVALID', `${file}: the annotations block is not valid: ${(cause as Error).message}`, { cause });
  }
  const title = requireString(doc.title, 'title', file);
  const summary = requireString(doc.summary, 'summary', file);
  const exampleLines = block.filter((l) => /^- input:/.test(l.text)).map((l) => l.line);
  const rawExamples = Array.isArray(doc.examples) ? (doc.examples as unknown[]) : [];
  const examples = rawExamples.map((ex, i) => toExample(ex, exampleLines[i] ?? 1, file));
  return { title, summary, examples };
}

function requireString(value: unknown, key: string, file: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  throw new PackError('PACK_ANNOTATIONS_INVALID', `${file}: the annotations need a non-empty "${key}"`);
}

function toExample(raw: unknown, line: number, file: string): PackExample {
  const ex = (raw ?? {}) as Record<string, unknown>;
  const where = `${file}:${line}`;
  if (ex.input === null || typeof ex.input !== 'object' || Array.isArray(ex.input)) {
    throw new PackError('PACK_EXAMPLE_INVALID', `${where}: an example's "input" must be a JSON object`);
  }
  if (typeof ex.deny !== 'boolean') throw new PackError('PACK_EXAMPLE_INVALID', `${where}: an example needs "deny: true" or "deny: false"`);
  if (ex.warn !== undefined && typeof ex.warn !== 'boolean') throw new PackError('PACK_EXAMPLE_INVALID', `${where}: "warn" must be true or false`);
  if (ex.data !== undefined && (ex.data === null || typeof ex.data !== 'object'))
    throw new PackError('PACK_EXAMPLE_INVALID', `${where}: "data" must be a JSON object`);
  return {
    input: ex.input as Record<string, unknown>,
    ...(ex.data !== undefined ? { data: ex.data as Record<string, unknown> } : {}),
    deny: ex.deny,
    ...(ex.warn !== undefined ? { warn: ex.warn } : {}),
    line,
  };
}
