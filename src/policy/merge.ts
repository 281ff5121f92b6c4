/**
 * Merging data documents from several files, as OPA does: objects merge recursively, and any other
 * overlap is a conflict naming both files.
 */
import { PolicyError } from './errors.js';

/** Which file first defined each path (keys joined by NUL). */
export type DataOwners = Map<string, string>;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Set) && !(v instanceof Map);
}

const SEP = '\u0000';

/**
 * Merge `value` into `root` at `keys`, recording owners; throws POLICY_DATA_CONFLICT on overlap.
 * @example mergeData(root, ['a', 'b'], { c: 1 }, 'dir/a/b/data.json', new Map())
 */
export function mergeData(root: Record<string, unknown>, keys: readonly string[], value: unknown, file: string, owners: DataOwners): void {
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const path = keys.slice(0, i + 1);
    if (i === keys.length - 1) {
      mergeInto(node, key, value, path, file, owners);
      return;
    }
    const next = node[key];
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      setOwn(node, key, created);
      owners.set(path.join(SEP), file);
      node = created;
    } else if (isObject(next)) {
      node = next;
    } else {
      throw conflict(path, owners, file);
    }
  }
  if (keys.length === 0) {
    if (!isObject(value)) throw new PolicyError('POLICY_DATA_NOT_OBJECT', `${file}: data at the root must be an object`, { kind: 'usage' });
    for (const [k, v] of Object.entries(value)) mergeInto(root, k, v, [k], file, owners);
  }
}

function mergeInto(node: Record<string, unknown>, key: string, value: unknown, path: string[], file: string, owners: DataOwners): void {
  const existing = Object.hasOwn(node, key) ? node[key] : undefined;
  if (existing === undefined) {
    setOwn(node, key, value);
    owners.set(path.join(SEP), file);
    return;
  }
  if (isObject(existing) && isObject(value)) {
    for (const [k, v] of Object.entries(value)) mergeInto(existing, k, v, [...path, k], file, owners);
    return;
  }
  throw conflict(path, owners, file);
}

function setOwn(node: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

// The earlier file: the owner of the path itself, of an ancestor, or of a descendant.
function conflict(path: string[], owners: DataOwners, file: string): PolicyError {
  let other: string | undefined;
  for (let n = path.length; n > 0 && other === undefined; n--) other = owners.get(path.slice(0, n).join(SEP));
  if (other === undefined) {
    const prefix = path.join(SEP) + SEP;
    for (const [k, f] of owners) if (k.startsWith(prefix)) other = f;
  }
  const where = `data.${path.join('.')}`;
  const both = other === undefined || other === file ? file : `${other} and ${file}`;
  return new PolicyError('POLICY_DATA_CONFLICT', `merge conflict: ${where} is defined by both ${both}`, {
    kind: 'usage',
    hint: 'data files may only overlap where both hold objects; rename a key or move one file',
    details: { path: where, files: other === undefined ? [file] : [other, file] },
  });
}
