/** Static match errors: unifying array/object literals whose shapes can never match (OPA type check). */
import type { Term } from '../ast.js';
import type { RegoErrorItem } from '../errors.js';

function scalarKeys(t: Extract<Term, { type: 'object' }>): string[] | undefined {
  const keys: string[] = [];
  for (const [k] of t.items) {
    if (k.type !== 'scalar') return undefined;
    keys.push(JSON.stringify(k.value));
  }
  return keys.sort();
}

/** Push a rego_type_error when `a` and `b` are literals of incompatible shape. */
export function checkMatch(a: Term, b: Term, errors: RegoErrorItem[]): void {
  const err = (detail: string): void => {
    errors.push({ code: 'rego_type_error', message: `match error: ${detail}`, location: a.loc });
  };
  const composite = (t: Term): boolean => t.type === 'array' || t.type === 'object' || t.type === 'set';
  if (composite(a) && composite(b) && a.type !== b.type) {
    err(`incompatible destructuring patterns: ${a.type} cannot match ${b.type}`);
    return;
  }
  if (a.type === 'array' && b.type === 'array') {
    if (a.items.length !== b.items.length) {
      err(`mismatch in number of array elements: ${a.items.length} != ${b.items.length}`);
      return;
    }
    for (const [i, x] of a.items.entries()) checkMatch(x, b.items[i]!, errors);
    return;
  }
  if (a.type === 'object' && b.type === 'object') {
    const ka = scalarKeys(a);
    const kb = scalarKeys(b);
    if (!ka || !kb) return;
    if (ka.length !== kb.length) {
      err(`object field count mismatch: left has ${ka.length} fields, right has ${kb.length} fields`);
      return;
    }
    if (ka.join(',') !== kb.join(',')) {
      err(`object literal keys mismatch: [${ka.join(', ')}] != [${kb.join(', ')}]`);
      return;
    }
    for (const [k, v] of a.items) {
      const other = b.items.find(([k2]) => k2.type === 'scalar' && k.type === 'scalar' && k2.value === k.value);
      if (other) checkMatch(v, other[1], errors);
    }
  }
}

/** `some pattern in [literal elements]`: every element must be able to match. */
export function checkSomeIn(pattern: Term, coll: Term, errors: RegoErrorItem[]): void {
  if ((coll.type !== 'array' && coll.type !== 'set') || coll.items.length === 0) return;
  const per = coll.items.map((item) => {
    const errs: RegoErrorItem[] = [];
    checkMatch(pattern, item, errs);
    return errs;
  });
  if (per.every((e) => e.length > 0)) errors.push(...per[0]!);
}
