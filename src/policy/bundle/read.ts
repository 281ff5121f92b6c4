/**
 * Reading OPA bundles (`-b`): a directory or a .tar.gz. Like OPA: `.rego` files anywhere are modules,
 * `data.json` / `data.yaml` / `data.yml` anywhere are data at their directory's path, `/.manifest`
 * gives revision and roots, `/.signatures.json` is verified when a verification key is given, and
 * every other file is ignored (but still covered by the signature).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseJsonText } from '../json-text.js';
import type { ModuleFile } from '../loader.js';
import { parseDataFile } from '../loader.js';
import { mergeData } from '../merge.js';
import { parseModule } from '../rego/index.js';
import { readTarFiles } from '../wasm/tar.js';
import { BundleError } from './errors.js';
import { type BundleManifest, checkRoots, parseManifest } from './manifest.js';
import { type VerificationOptions, verifyBundle } from './signing.js';

/** Bounds: a bundle of more files or bytes than this is refused rather than read. */
export const BUNDLE_LIMITS = { files: 10_000, bytes: 256 * 1024 * 1024 } as const;

/** One bundle, loaded. */
export interface LoadedBundle {
  /** The path as given (used in messages and for module paths). */
  name: string;
  manifest: BundleManifest;
  /** Whether a .manifest file was present. */
  hasManifest: boolean;
  /** Modules: `path` for messages, `name` inside the bundle (e.g. `app/authz.rego`). */
  modules: Array<ModuleFile & { name: string }>;
  data: Record<string, unknown>;
  /** Whether the signature was checked (a verification key was given). */
  verified: boolean;
  /** Whether the bundle carries .signatures.json. */
  signed: boolean;
  /** All file names (relative to the bundle root). */
  files: string[];
}

export interface ReadBundleOptions {
  cwd?: string;
  verification?: VerificationOptions;
  /** Most files a bundle may hold (default BUNDLE_LIMITS.files). */
  maxFiles?: number;
}

/**
 * Load one bundle (directory or .tar.gz).
 * @example const b = await readBundle('quota.tar.gz', { verification: { key: 'public.pem' } }); b.manifest.revision
 */
export async function readBundle(path: string, opts: ReadBundleOptions = {}): Promise<LoadedBundle> {
  const abs = resolve(opts.cwd ?? process.cwd(), path);
  const st = statSync(abs, { throwIfNoEntry: false });
  if (!st)
    throw new BundleError('BUNDLE_NOT_FOUND', `${path}: no such bundle file or directory`, {
      kind: 'not_found',
      hint: 'pass a bundle directory or a .tar.gz built by `maestro policy build` or `opa build`',
    });
  const maxFiles = opts.maxFiles ?? BUNDLE_LIMITS.files;
  const files = st.isDirectory() ? readDirFiles(abs, path, maxFiles) : readTarFiles(readFileSync(abs), path);
  if (files.size > maxFiles) throw new BundleError('BUNDLE_TOO_LARGE', `${path}: more than ${maxFiles} files`, { hint: 'split the bundle' });
  const sigBytes = files.get('.signatures.json');
  files.delete('.signatures.json');
  const signed = sigBytes !== undefined;
  if (opts.verification) {
    if (!signed)
      throw new BundleError('BUNDLE_SIGNATURE_INVALID', `${path}: bundle missing .signatures.json file`, {
        kind: 'auth',
        hint: 'sign it with `maestro policy build --signing-key <key>`, or drop --verification-key',
      });
    const doc = parseJsonDoc(sigBytes, `${path}:/.signatures.json`);
    // OPA signs a directory bundle's files under the directory's path as given; accept both spellings.
    const prefix = st.isDirectory() ? path.replace(/^(\.\/)+|^\/+/, '').replace(/\/+$/, '') : '';
    await verifyBundle(path, doc, files, opts.verification, (n) => (prefix ? `${prefix}/${n}` : n));
  }
  const manifestBytes = files.get('.manifest');
  const manifest = parseManifest(manifestBytes ? parseJsonDoc(manifestBytes, `${path}:/.manifest`) : {}, `${path}:/.manifest`);
  const modules: Array<ModuleFile & { name: string }> = [];
  const data: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  for (const name of [...files.keys()].sort()) {
    const base = name.slice(name.lastIndexOf('/') + 1);
    const display = st.isDirectory() ? join(path, name) : `${path}:/${name}`;
    if (name.endsWith('.rego')) modules.push({ path: display, name, text: files.get(name)!.toString('utf8') });
    else if (base === 'data.json' || base === 'data.yaml' || base === 'data.yml') {
      const keys = name.split('/').slice(0, -1);
      const value = parseDataFile(display, files.get(name)!.toString('utf8'));
      if (keys.length === 0 && (value === null || typeof value !== 'object' || Array.isArray(value))) {
        throw new BundleError('BUNDLE_DATA_INVALID', `${display}: the bundle's root data file must hold an object`);
      }
      mergeData(data, keys, value, display, owners);
    }
  }
  checkRoots(
    manifest,
    path,
    data,
    modules.map((m) => ({ pkg: parseModule(m).package, file: m.path })),
  );
  return {
    name: path,
    manifest,
    hasManifest: manifestBytes !== undefined,
    modules,
    data,
    verified: opts.verification !== undefined,
    signed,
    files: [...files.keys()].sort(),
  };
}

function parseJsonDoc(bytes: Buffer, where: string): unknown {
  const text = bytes.toString('utf8');
  return parseJsonText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, where);
}

// Every regular file under a bundle directory, dot-files included (.manifest), keyed by slash path.
function readDirFiles(root: string, given: string, maxFiles: number): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let bytes = 0;
  const walk = (dir: string, depth: number): void => {
    if (depth > 64) throw new BundleError('BUNDLE_TOO_DEEP', `${given}: directories nested more than 64 deep`);
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p, depth + 1);
      else if (entry.isFile()) {
        const buf = readFileSync(p);
        bytes += buf.length;
        if (out.size >= maxFiles || bytes > BUNDLE_LIMITS.bytes)
          throw new BundleError('BUNDLE_TOO_LARGE', `${given}: more than ${maxFiles} files or ${BUNDLE_LIMITS.bytes} bytes`, { hint: 'split the bundle' });
        out.set(relative(root, p).split(sep).join('/'), buf);
      }
    }
  };
  walk(root, 0);
  return out;
}
