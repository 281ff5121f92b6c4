/**
 * METADATA annotations (OPA's `# METADATA` comment blocks, YAML) and the builtins that read them:
 * `rego.metadata.rule()` and `rego.metadata.chain()` are static per rule, so calls to them are
 * replaced by their constant value when the module is parsed.
 */
import type { Module, Rule, Term } from './ast.js';
import { parseYaml } from './builtins/lib/yaml-go.js';
import { regoError } from './errors.js';
import { fromJson } from './value.js';

type Json = Record<string, unknown>;

/** The METADATA block ending right above `row` (1-based), as plain JSON, or undefined. */
function blockAbove(lines: string[], row: number, file: string): Json | undefined {
  let i = row - 2;
  const block: string[] = [];
  while (i >= 0 && /^\s*#/.test(lines[i]!)) block.unshift(lines[i--]!.replace(/^\s*# ?/, ''));
  const start = block.findIndex((l) => l.trim() === 'METADATA');
  if (start < 0) return undefined;
  const text = block.slice(start + 1).join('\n');
  try {
    const v = parseYaml(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
  } catch (e) {
    throw regoError('rego_parse_error', `invalid METADATA block: ${(e as Error).message}`, { file, row: i + 2 + start, col: 1 });
  }
}

/** Read the module's METADATA blocks and fold rego.metadata.rule()/chain() calls into constants. */
export function applyMetadata(m: Module, src: string): void {
  if (!src.includes('METADATA')) return;
  const lines = src.split('\n');
  const pkgNotes = blockAbove(lines, m.packageLoc.row, m.file);
  const pkgEntry = pkgNotes ? { annotations: { ...pkgNotes, scope: pkgNotes.scope ?? 'package' }, path: m.package } : undefined;
  for (const r of m.rules) {
    const notes = blockAbove(lines, r.loc.row, m.file);
    const annotations = notes ? { ...notes, scope: notes.scope ?? 'rule' } : undefined;
    const path = [...m.package, ...ruleName(r)];
    const chain = [annotations ? { annotations, path } : { path }, ...(pkgEntry ? [pkgEntry] : [])];
    const values = { 'rego.metadata.rule': annotations ?? {}, 'rego.metadata.chain': chain };
    for (const x of [r, ...r.elses]) fold(x, values);
  }
}

function ruleName(r: Rule): string[] {
  const out: string[] = [];
  for (const t of r.ref) {
    if (t.type !== 'scalar' || typeof t.value !== 'string') break;
    out.push(t.value);
  }
  return out;
}

/** Replace zero-argument metadata calls anywhere in the rule by their value. */
function fold(rule: Rule, values: Record<string, unknown>): void {
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      x.forEach((item, i) => {
        if (isMetaCall(item, values)) x[i] = constant(item as Term, values);
        else visit(item);
      });
      return;
    }
    const o = x as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (k === 'loc' || k === 'module') continue;
      if (isMetaCall(v, values)) o[k] = constant(v as Term, values);
      else visit(v);
    }
  };
  visit([rule.body, rule.value, rule.key]);
  if (rule.value && isMetaCall(rule.value, values)) rule.value = constant(rule.value, values);
}

function isMetaCall(x: unknown, values: Record<string, unknown>): boolean {
  const t = x as Term | undefined;
  return !!t && typeof t === 'object' && t.type === 'call' && t.op in values && t.args.length === 0;
}

function constant(t: Term, values: Record<string, unknown>): Term {
  return { type: 'scalar', value: fromJson(values[(t as { op: string }).op]), loc: t.loc };
}
