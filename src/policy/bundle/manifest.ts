/**
 * OPA's `.manifest`: revision, roots (default [""], everything), rego_version and metadata. Roots are
 * checked as OPA checks them: no two roots of one manifest may overlap, every package and every data
 * path must lie under a root, and roots of different bundles loaded together may not overlap.
 */
import { BundleError } from './errors.js';

/** The manifest fields maestro reads and writes (other fields are kept as they are). */
export interface BundleManifest {
  revision: string;
  roots: string[];
  rego_version?: number;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Parse and validate a manifest document (already parsed JSON); `where` prefixes errors.
 * @example parseManifest({ roots: ['quota'] }, 'b.tar.gz:/.manifest').roots // ['quota']
 */
export function parseManifest(doc: unknown, where: string): BundleManifest {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid(where, 'must be a JSON object');
  const m = doc as Record<string, unknown>;
  const revision = m.revision ?? '';
  if (typeof revision !== 'string') throw invalid(where, '"revision" must be a string');
  const rawRoots = m.roots ?? [''];
  if (!Array.isArray(rawRoots) || rawRoots.some((r) => typeof r !== 'string')) throw invalid(where, '"roots" must be an array of strings');
  const roots = (rawRoots as string[]).map((r) => r.replace(/^\/+|\/+$/g, ''));
  for (let i = 0; i < roots.length; i++) {
    for (let j = i + 1; j < roots.length; j++) {
      if (rootsOverlap(roots[i]!, roots[j]!)) throw invalid(where, `manifest has overlapped roots: '${roots[i]}' and '${roots[j]}'`);
    }
  }
  const rv = m.rego_version;
  if (rv !== undefined && rv !== 0 && rv !== 1) throw invalid(where, `"rego_version" must be 0 or 1 (got ${JSON.stringify(rv)})`);
  if (m.metadata !== undefined && (m.metadata === null || typeof m.metadata !== 'object' || Array.isArray(m.metadata))) {
    throw invalid(where, '"metadata" must be an object');
  }
  return { ...m, revision, roots } as BundleManifest;
}

function invalid(where: string, why: string): BundleError {
  return new BundleError('BUNDLE_MANIFEST_INVALID', `${where}: ${why}`, {
    hint: 'see https://www.openpolicyagent.org/docs/management-bundles/#bundle-file-format',
  });
}

function segments(root: string): string[] {
  return root === '' ? [] : root.split('/');
}

// Does root `a` contain path `b` (segment-wise prefix)?
function contains(a: string[], b: string[]): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}

/** Two roots overlap when one is a prefix of the other (segment-wise). */
export function rootsOverlap(a: string, b: string): boolean {
  const sa = segments(a);
  const sb = segments(b);
  return contains(sa, sb) || contains(sb, sa);
}

/** Is a slash path (e.g. `maestro/quota`) under one of the roots? */
export function rootsContain(roots: readonly string[], path: readonly string[]): boolean {
  return roots.some((r) => contains(segments(r), [...path]));
}

/**
 * Check that data and packages lie under the manifest's roots (OPA's messages).
 * @example checkRoots(manifest, 'b.tar.gz', data, [{ pkg: ['quota'], file: 'quota.rego' }])
 */
export function checkRoots(m: BundleManifest, bundle: string, data: Record<string, unknown>, modules: ReadonlyArray<{ pkg: string[]; file: string }>): void {
  const shown = `[${m.roots.join(' ')}]`;
  for (const mod of modules) {
    if (!rootsContain(m.roots, mod.pkg)) {
      throw new BundleError('BUNDLE_OUTSIDE_ROOTS', `${bundle}: manifest roots ${shown} do not permit 'package ${mod.pkg.join('.')}' in module '${mod.file}'`, {
        hint: 'add the package path to "roots" in .manifest, or move the module',
      });
    }
  }
  const visit = (node: unknown, path: string[]): void => {
    if (path.length > 0 && rootsContain(m.roots, path)) return;
    const isObj = node !== null && typeof node === 'object' && !Array.isArray(node);
    if (isObj && m.roots.some((r) => contains(path, segments(r)))) {
      for (const [k, v] of Object.entries(node as Record<string, unknown>)) visit(v, [...path, k]);
      return;
    }
    if (path.length === 0 && m.roots.includes('')) return;
    // OPA names a leaf: follow the first key down to a value that is not a non-empty object.
    let leaf = node;
    while (leaf !== null && typeof leaf === 'object' && !Array.isArray(leaf) && Object.keys(leaf).length > 0) {
      const k = Object.keys(leaf).sort()[0]!;
      path = [...path, k];
      leaf = (leaf as Record<string, unknown>)[k];
    }
    throw new BundleError(
      'BUNDLE_OUTSIDE_ROOTS',
      `${bundle}: manifest roots ${shown} do not permit data at path '/${path.join('/')}' (hint: check bundle directory structure)`,
      {
        hint: 'add the data path to "roots" in .manifest, or move the data file',
      },
    );
  };
  visit(data, []);
}

/**
 * Refuse bundles whose roots overlap (OPA: "detected overlapping roots in manifests for these bundles").
 * @example checkBundleOverlap([{ name: 'a.tar.gz', roots: ['x'] }, { name: 'b', roots: ['x/y'] }]) // throws
 */
export function checkBundleOverlap(bundles: ReadonlyArray<{ name: string; roots: readonly string[] }>): void {
  const conflicts = new Set<string>();
  const names = new Set<string>();
  for (let i = 0; i < bundles.length; i++) {
    for (let j = i + 1; j < bundles.length; j++) {
      for (const a of bundles[i]!.roots) {
        for (const b of bundles[j]!.roots) {
          if (!rootsOverlap(a, b)) continue;
          names.add(bundles[i]!.name).add(bundles[j]!.name);
          conflicts.add(a === b ? `root ${a === '' ? "''" : a} is in multiple bundles` : [a, b].sort().join(' overlaps '));
        }
      }
    }
  }
  if (names.size === 0) return;
  const hint = 'give each bundle its own "roots" in .manifest (a bundle without a manifest owns every path)';
  const empty = bundles.filter((b) => names.has(b.name) && b.roots.includes('')).map((b) => b.name);
  if (empty.length > 0) {
    throw new BundleError(
      'BUNDLE_ROOTS_OVERLAP',
      `bundles [${[...names].sort().join(', ')}] have overlapping roots and cannot be activated simultaneously because bundle(s) [${empty.sort().join(', ')}] specify empty root paths ('') which overlap with any other bundle root`,
      { hint },
    );
  }
  throw new BundleError(
    'BUNDLE_ROOTS_OVERLAP',
    `detected overlapping roots in manifests for these bundles: [${[...names].sort().join(', ')}] (${[...conflicts].sort().join(', ')})`,
    {
      hint: 'give each bundle its own "roots" in .manifest (a bundle without a manifest owns every path)',
    },
  );
}
