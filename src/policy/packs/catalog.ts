/**
 * The pack catalog on disk: where packs live, how one is read, and its canonical digest.
 *   shipped packs   <package>/policies/<id>/  ($MAESTRO_PACKS_DIR replaces this root)
 *   local packs     $MAESTRO_HOME/policies/<id>/  (added by an admin; disabled until enabled)
 * A pack directory holds policy.rego, policy_test.rego, pack.json and, generated, README.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '../../core/context.js';
import { type PackAnnotations, parseAnnotations } from './annotations.js';
import { PackError, PackNotFoundError } from './errors.js';
import { DEFAULT_CACHE_MAX, LruCache } from './warm-cache.js';

/** pack.json. */
export interface PackMeta {
  id: string;
  version: string;
  title: string;
  summary: string;
  /** Rego package, e.g. "maestro.budget" (rules are read at data.<package>). */
  package: string;
  /** Input (and data) paths the pack reads. */
  inputs: string[];
  /** Default data placed at data.maestro.config.<id>. */
  data?: Record<string, unknown>;
}

export type PackOrigin = 'shipped' | 'local';

/** A pack read from disk. */
export interface Pack {
  meta: PackMeta;
  dir: string;
  origin: PackOrigin;
  /** sha256:<hex> over the canonical form of the pack's files. */
  digest: string;
  /** Files covered by the digest: path relative to the pack directory → bytes. */
  files: Map<string, Buffer>;
  /** Rego modules (policy.rego and any other non-test module), with display paths. */
  modules: Array<{ path: string; text: string }>;
}

const ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Files a pack carries that are not part of its content (generated docs, signatures). */
const EXCLUDED = /(^|\/)(README\.md|[^/]*\.sig\.json)$|(^|\/)\./;

let packageRoot: string | undefined;

/** The shipped packs root: $MAESTRO_PACKS_DIR, else the package's policies/ folder. */
export function shippedRoot(ctx: Pick<Context, 'env' | 'cwd'>): string {
  const override = ctx.env.MAESTRO_PACKS_DIR;
  if (override && override.trim() !== '') return resolve(ctx.cwd, override);
  if (packageRoot) return packageRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'policies'))) {
      packageRoot = join(dir, 'policies');
      return packageRoot;
    }
    dir = dirname(dir);
  }
  throw new PackError('PACKS_ROOT_MISSING', 'cannot find the shipped policies/ folder next to the maestro package', {
    hint: 'set MAESTRO_PACKS_DIR to the packs folder',
  });
}

/** The state home's local packs root. */
export function localRoot(ctx: Pick<Context, 'home'>): string {
  return join(ctx.home, 'policies');
}

/** Ids of the packs under a root (folders holding a pack.json), sorted. */
function packIdsIn(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && ID_RE.test(d.name) && existsSync(join(root, d.name, 'pack.json')))
    .map((d) => d.name)
    .sort();
}

/**
 * Every pack available in this installation, shipped first; a local pack may not reuse a shipped id.
 * @example listPackDirs(ctx).map((p) => p.id) // ['budget', 'quota', ...]
 */
export function listPackDirs(ctx: Pick<Context, 'env' | 'cwd' | 'home'>): Array<{ id: string; dir: string; origin: PackOrigin }> {
  const root = shippedRoot(ctx);
  const shipped = packIdsIn(root).map((id) => ({ id, dir: join(root, id), origin: 'shipped' as const }));
  const taken = new Set(shipped.map((p) => p.id));
  const local = packIdsIn(localRoot(ctx))
    .filter((id) => !taken.has(id))
    .map((id) => ({ id, dir: join(localRoot(ctx), id), origin: 'local' as const }));
  return [...shipped, ...local];
}

/** Find one pack's folder by id (PackNotFoundError, exit 5, when unknown). */
export function findPackDir(ctx: Pick<Context, 'env' | 'cwd' | 'home'>, id: string): { id: string; dir: string; origin: PackOrigin } {
  const all = listPackDirs(ctx);
  const found = all.find((p) => p.id === id);
  if (!found) {
    throw new PackNotFoundError('PACK_NOT_FOUND', `no policy pack "${id}"`, {
      hint: `known packs: ${all.map((p) => p.id).join(', ') || '(none)'}; see maestro policy packs list`,
    });
  }
  return found;
}

/** Packs read before, by folder: reused while the stat fingerprint of their files is unchanged. */
const readCache = new LruCache<{ fingerprint: string; pack: Pack }>(DEFAULT_CACHE_MAX);

/**
 * Read a pack, reusing the last read while none of its content files changed: same names, inode,
 * size, mtime and ctime (nanoseconds; ctime cannot be set back by a writer). Saves the reading and
 * hashing on every decision of a long-lived process; any change reads and hashes afresh.
 * @example readPackCached(dir, 'shipped', base).digest
 */
export function readPackCached(dir: string, origin: PackOrigin, displayBase: string): Pack {
  const fingerprint = `${origin}|${displayBase}|${contentFiles(dir)
    .map((rel) => {
      const st = statSync(join(dir, rel), { bigint: true });
      return `${rel}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    })
    .join('|')}`;
  const hit = readCache.get(dir);
  if (hit && hit.fingerprint === fingerprint) return hit.pack;
  const pack = readPack(dir, origin, displayBase);
  readCache.set(dir, { fingerprint, pack });
  return pack;
}

/** Regular files of a pack covered by its digest, as relative posix paths, sorted by byte order. */
function contentFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const abs = join(d, entry.name);
      const rel = relative(dir, abs).split(sep).join('/');
      if (EXCLUDED.test(rel)) continue;
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk(dir);
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * The canonical digest of a set of pack files: sha256 over the `sha256sum` listing of the files,
 * sorted by path ("<hex>  <path>\n" per file), so `sha256sum $(files) | sha256sum` reproduces it.
 * @example packDigest(new Map([['pack.json', buf]])) // 'sha256:…'
 */
export function packDigest(files: ReadonlyMap<string, Buffer>): string {
  const listing = [...files.keys()]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((p) => `${createHash('sha256').update(files.get(p)!).digest('hex')}  ${p}\n`)
    .join('');
  return `sha256:${createHash('sha256').update(listing).digest('hex')}`;
}

/** Read and check a pack folder. The display path of modules is relative to `displayBase`. */
export function readPack(dir: string, origin: PackOrigin, displayBase: string): Pack {
  const files = new Map<string, Buffer>();
  for (const rel of contentFiles(dir)) files.set(rel, readFileSync(join(dir, rel)));
  const display = (rel: string): string => relative(displayBase, join(dir, rel)).split(sep).join('/');
  const meta = parseMeta(files.get('pack.json'), display('pack.json'), dir);
  const policy = files.get('policy.rego');
  if (!policy)
    throw new PackError('PACK_INVALID', `${display('policy.rego')} is missing`, { hint: 'a pack needs policy.rego, policy_test.rego and pack.json' });
  const modules = [...files.keys()]
    .filter((p) => p.endsWith('.rego') && !p.endsWith('_test.rego'))
    .map((p) => ({ path: display(p), text: files.get(p)!.toString('utf8') }));
  return { meta, dir, origin, digest: packDigest(files), files, modules };
}

function parseMeta(buf: Buffer | undefined, where: string, dir: string): PackMeta {
  if (!buf) throw new PackError('PACK_INVALID', `${where} is missing`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(buf.toString('utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new PackError('PACK_INVALID', `${where}: not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const str = (k: string): string => {
    if (typeof raw[k] !== 'string' || (raw[k] as string) === '') throw new PackError('PACK_INVALID', `${where}: "${k}" must be a non-empty string`);
    return raw[k] as string;
  };
  const id = str('id');
  const base = dir.split(sep).pop();
  if (id !== base) throw new PackError('PACK_INVALID', `${where}: id "${id}" does not match its folder "${base}"`);
  const inputs = Array.isArray(raw.inputs) ? raw.inputs.filter((x): x is string => typeof x === 'string') : [];
  const data = raw.data !== null && typeof raw.data === 'object' ? (raw.data as Record<string, unknown>) : undefined;
  return { id, version: str('version'), title: str('title'), summary: str('summary'), package: str('package'), inputs, ...(data ? { data } : {}) };
}

const annotated = new WeakMap<Pack, PackAnnotations>();

/**
 * A pack's annotations (parsed on first use: the decision path never needs them).
 * @example annotationsOf(pack).examples.length
 */
export function annotationsOf(pack: Pack): PackAnnotations {
  let a = annotated.get(pack);
  if (!a) {
    const main = pack.modules.find((m) => m.path.endsWith('policy.rego'))!;
    a = parseAnnotations(main.text, main.path);
    annotated.set(pack, a);
  }
  return a;
}

/** True when `p` is a directory. */
export function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}
