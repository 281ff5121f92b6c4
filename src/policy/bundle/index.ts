/**
 * OPA bundles: read (`-b`, directories and .tar.gz, manifest roots, signatures), build and sign
 * (`policy build`), and merge bundles into what `-d` paths loaded.
 * @example
 *   const bundles = await loadBundles(['quota.tar.gz'], { verification: { key: 'public.pem' } });
 *   const report = await buildBundle({ paths: ['policies/quota'], output: 'quota.tar.gz' });
 */
import type { LoadedPolicyFiles } from '../loader.js';
import { mergeData } from '../merge.js';
import { checkBundleOverlap } from './manifest.js';
import { type LoadedBundle, type ReadBundleOptions, readBundle } from './read.js';

export { type BuildReport, type BuildRequest, buildBundle, buildPackBundle } from './build.js';
export { BundleError } from './errors.js';
export { canonicalJson, canonicalOfValue, isStructuredDoc } from './hash.js';
export { type BundleManifest, checkBundleOverlap, checkRoots, parseManifest, rootsOverlap } from './manifest.js';
export { BUNDLE_LIMITS, type LoadedBundle, type ReadBundleOptions, readBundle } from './read.js';
export { digestFile, SIGNING_ALGORITHMS, type SignedFile, type SigningOptions, signBundle, type VerificationOptions, verifyBundle } from './signing.js';
export { type TarEntry, writeTarGz } from './tar-write.js';

/**
 * Read several bundles and refuse overlapping roots, as `opa eval -b a -b b` does.
 * @example const bundles = await loadBundles(['a.tar.gz', 'dir/'], {});
 */
export async function loadBundles(paths: readonly string[], opts: ReadBundleOptions = {}): Promise<LoadedBundle[]> {
  const out: LoadedBundle[] = [];
  for (const p of paths) out.push(await readBundle(p, opts));
  checkBundleOverlap(out.map((b) => ({ name: b.name, roots: b.manifest.roots })));
  return out;
}

/**
 * Add bundles' modules and data to files loaded from `-d` paths (a data overlap is a conflict).
 * @example const all = mergeBundles(loadPolicyPaths(['extra.json']), bundles);
 */
export function mergeBundles(loaded: LoadedPolicyFiles, bundles: readonly LoadedBundle[]): LoadedPolicyFiles {
  if (bundles.length === 0) return loaded;
  const owners = new Map<string, string>();
  const data: Record<string, unknown> = {};
  mergeData(data, [], loaded.data, loaded.dataFiles.join(', ') || '-d data', owners);
  for (const b of bundles) mergeData(data, [], b.data, b.name, owners);
  return {
    modules: [...loaded.modules, ...bundles.flatMap((b) => b.modules.map((m) => ({ path: m.path, text: m.text })))],
    data,
    dataFiles: [...loaded.dataFiles, ...bundles.map((b) => b.name)],
  };
}
