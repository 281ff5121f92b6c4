/**
 * `policy build`: write an OPA-format bundle (tar.gz) as `opa build` does: `/data.json` (all data
 * merged, keys sorted), the policy files under their given paths, `/.manifest` (revision, roots,
 * rego_version) and, with a signing key, `/.signatures.json` over all of them. `buildPackBundle`
 * exports a catalog pack the same way, with the pack's package paths as roots and pack.json as
 * manifest metadata, so packs are distributed as signed OPA bundles.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Context } from '../../core/context.js';
import { loadPolicyPaths, type ModuleFile } from '../loader.js';
import { mergeData } from '../merge.js';
import { compile, parseModule } from '../rego/index.js';
import { BundleError } from './errors.js';
import { canonicalOfValue } from './hash.js';
import { type BundleManifest, checkBundleOverlap, checkRoots, parseManifest } from './manifest.js';
import { type LoadedBundle, readBundle } from './read.js';
import { digestFile, type SignedFile, type SigningOptions, signBundle, type VerificationOptions } from './signing.js';
import { type TarEntry, writeTarGz } from './tar-write.js';

export interface BuildRequest {
  /** Files and directories, loaded with OPA's -d rules. */
  paths: readonly string[];
  /** Bundles to include as they are (-b). */
  bundles?: readonly string[];
  /** Output file (default bundle.tar.gz). */
  output?: string;
  revision?: string;
  /** Manifest roots (default [""], as opa build). */
  roots?: readonly string[];
  metadata?: Record<string, unknown>;
  signing?: SigningOptions;
  /** Verify signed input bundles first (as `opa build --verification-key`). */
  verification?: VerificationOptions;
  cwd?: string;
}

/** What was written. */
export interface BuildReport {
  output: string;
  revision: string;
  roots: string[];
  files: Array<{ name: string; bytes: number }>;
  signed: boolean;
  /** The signed payload's entries (empty when unsigned). */
  signatures: SignedFile[];
}

/**
 * Build a bundle from policy and data paths (and bundles), compiled first so a broken policy is
 * never packaged; written atomically.
 * @example await buildBundle({ paths: ['policies/quota'], output: 'quota.tar.gz', signing: { key: 'k.pem' } })
 */
export async function buildBundle(req: BuildRequest): Promise<BuildReport> {
  const cwd = req.cwd ?? process.cwd();
  if (req.paths.length === 0 && (req.bundles ?? []).length === 0) {
    throw new BundleError('BUNDLE_NOTHING_TO_BUILD', 'policy build: no paths given', { hint: 'e.g. maestro policy build policies/quota -o quota.tar.gz' });
  }
  const loaded = loadPolicyPaths(req.paths, { cwd });
  const modules: ModuleFile[] = loaded.modules.map((m) => ({ path: bundlePath(m.path), text: m.text }));
  const data: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  mergeData(data, [], loaded.data, 'data files', owners);
  const inputs: LoadedBundle[] = [];
  for (const b of req.bundles ?? []) inputs.push(await readBundle(b, { cwd, ...(req.verification ? { verification: req.verification } : {}) }));
  checkBundleOverlap(inputs.map((b) => ({ name: b.name, roots: b.manifest.roots })));
  for (const b of inputs) {
    modules.push(...b.modules.map((m) => ({ path: bundlePath(m.name), text: m.text })));
    mergeData(data, [], b.data, b.name, owners);
  }
  const manifest = parseManifest(
    {
      revision: req.revision ?? (inputs.length === 1 && req.paths.length === 0 ? inputs[0]!.manifest.revision : ''),
      roots: req.roots ?? (inputs.length > 0 && req.paths.length === 0 ? inputs.flatMap((b) => b.manifest.roots) : ['']),
      rego_version: 1,
      ...(req.metadata ? { metadata: req.metadata } : {}),
    },
    'the manifest to write',
  );
  return writeBundle(manifest, modules, data, req.output ?? 'bundle.tar.gz', cwd, req.signing);
}

// "/policies/quota/policy.rego": the path as given, slash-separated, one leading "/".
function bundlePath(p: string): string {
  return `/${p
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')}`;
}

async function writeBundle(
  manifest: BundleManifest,
  modules: ModuleFile[],
  data: Record<string, unknown>,
  output: string,
  cwd: string,
  signing?: SigningOptions,
): Promise<BuildReport> {
  compile(modules, { v1: true }); // opa build reads every module as Rego v1
  checkRoots(
    manifest,
    output,
    data,
    modules.map((m) => ({ pkg: parseModule(m).package, file: m.path })),
  );
  const seen = new Set<string>();
  for (const m of modules) {
    if (seen.has(m.path))
      throw new BundleError('BUNDLE_DUPLICATE_FILE', `${m.path}: two modules would be written under the same bundle path`, { hint: 'pass each file once' });
    seen.add(m.path);
  }
  const manifestDoc: Record<string, unknown> = { revision: manifest.revision, roots: manifest.roots, rego_version: manifest.rego_version ?? 1 };
  if (manifest.metadata) manifestDoc.metadata = manifest.metadata;
  const entries: TarEntry[] = [
    { name: '/data.json', data: Buffer.from(canonicalOfValue(data), 'utf8') },
    ...modules.map((m) => ({ name: m.path, data: Buffer.from(m.text, 'utf8') })),
  ];
  const manifestEntry = { name: '/.manifest', data: Buffer.from(JSON.stringify(manifestDoc), 'utf8') };
  let signatures: SignedFile[] = [];
  if (signing) {
    // OPA's order: modules, then data.json, then .manifest.
    const ordered = [...entries.slice(1), entries[0]!, manifestEntry];
    signatures = ordered.map((e) => ({ name: e.name.slice(1), hash: digestFile(e.name.slice(1), e.data), algorithm: 'SHA-256' }));
    const doc = await signBundle(signatures, signing);
    entries.push({ name: '/.signatures.json', data: Buffer.from(JSON.stringify({ signatures: doc.signatures, plugin: '_default' }), 'utf8') });
  }
  entries.push(manifestEntry);
  const out = resolve(cwd, output);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, writeTarGz(entries));
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new BundleError('BUNDLE_WRITE_FAILED', `${output}: cannot write the bundle (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  return {
    output,
    revision: manifest.revision,
    roots: manifest.roots,
    files: entries.map((e) => ({ name: e.name, bytes: e.data.length })),
    signed: signing !== undefined,
    signatures,
  };
}

/**
 * Export a catalog pack (shipped or local) as an OPA bundle: roots are the pack's packages, the
 * revision is the pack's version, pack.json is the manifest's `metadata.maestro_pack`, and the pack's
 * default data sits at data.maestro.config.<id> as the decision point places it.
 * @example await buildPackBundle(ctx, 'quota', { output: 'quota.tar.gz', signing: { key: 'k.pem' } })
 */
export async function buildPackBundle(
  ctx: Pick<Context, 'env' | 'cwd' | 'home'>,
  id: string,
  opts: { output?: string; signing?: SigningOptions },
): Promise<BuildReport> {
  // Lazy: the packs room (store, receipts) is not needed by plain `policy build` / `eval`.
  const { findPackDir, readPack } = await import('../packs/index.js');
  const found = findPackDir(ctx, id);
  const pack = readPack(found.dir, found.origin, found.dir);
  const modules: ModuleFile[] = [];
  for (const [name, bytes] of [...pack.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name.endsWith('.rego')) modules.push({ path: `/${pack.meta.id}/${name}`, text: bytes.toString('utf8') });
  }
  const roots = [...new Set(modules.map((m) => parseModule(m).package.join('/')))].sort();
  const data: Record<string, unknown> = {};
  if (pack.meta.data) {
    mergeData(data, ['maestro', 'config', pack.meta.id], pack.meta.data, 'pack.json', new Map());
    roots.push(`maestro/config/${pack.meta.id}`);
  }
  const manifest = parseManifest(
    { revision: pack.meta.version, roots, rego_version: 1, metadata: { maestro_pack: { ...pack.meta, digest: pack.digest } } },
    `${id}/pack.json`,
  );
  return writeBundle(manifest, modules, data, opts.output ?? `${pack.meta.id}.tar.gz`, ctx.cwd, opts.signing);
}
