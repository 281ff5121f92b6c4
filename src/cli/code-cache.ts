/**
 * Loads a CommonJS bundle with a V8 code cache (ADR 0033): Node 20 has no on-disk compile cache
 * (`module.enableCompileCache` came in Node 22), but `vm.Script` accepts `cachedData`. The first run of
 * a command compiles as usual and then stores V8's cache of every function it compiled; later runs skip
 * parsing and compiling them.
 *
 * The cache is trusted only when it matches: its file name carries a hash of the bundle's sha256, the
 * command, the Node version, the architecture and Node's flags (argv and NODE_OPTIONS), and its
 * content starts with a sha256 of that key and the data, so a truncated, corrupt or foreign file is
 * ignored (and V8 checks its own version and the source too). Files are written beside the bundle when that directory is writable,
 * else under the user's cache directory (`$XDG_CACHE_HOME` or `~/.cache`, mode 0700), atomically, one
 * file per command (older ones for the same command are removed, so the cache stays bounded).
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/** First line of a bundle built by scripts/bundle.mjs: the sha256 of the rest. */
export const HASH_PREFIX = '// maestro-bundle-sha256:';
const MAGIC = Buffer.from('MCV8');
const DIGEST = 32;

export type CacheStatus = 'hit' | 'miss' | 'rejected' | 'off';

export interface CachedModule<T> {
  exports: T;
  /** hit: V8 used the cache; miss: none was found; rejected: found but unusable; off: disabled. */
  status: CacheStatus;
  /** The cache file read or written (before save: where it would go first; undefined when off). */
  cacheFile: string | undefined;
  /** Stores the code cache when there was none usable (call after the work, so it holds what ran). */
  save(): void;
}

export interface LoadOptions {
  /** Short name of what runs (one cache file per name), e.g. the command: `whoami`. */
  name: string;
  /** Directories to keep the cache in, first usable wins (default: see cacheDirs). */
  dirs?: string[];
  /** No cache at all: compile, run, write nothing. */
  disabled?: boolean;
}

/** Where the cache of `file` may live: beside it, then the user's cache directory. */
export function cacheDirs(file: string, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const xdg = env.XDG_CACHE_HOME;
  const userCache = xdg?.startsWith('/') ? xdg : join(homedir(), '.cache');
  return [join(dirname(file), 'cache'), join(userCache, 'maestro-conductor')];
}

/** The sha256 a bundle declares on its first line, else the sha256 of its text. */
function bundleHash(source: string): string {
  if (source.startsWith(HASH_PREFIX)) {
    const end = source.indexOf('\n');
    const hex = source.slice(HASH_PREFIX.length, end);
    if (/^[0-9a-f]{64}$/.test(hex)) return hex;
  }
  return createHash('sha256').update(source).digest('hex');
}

function readCache(path: string, key: string): Buffer | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch {
    return undefined;
  }
  if (raw.length <= MAGIC.length + DIGEST || !raw.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const digest = raw.subarray(MAGIC.length, MAGIC.length + DIGEST);
  const data = raw.subarray(MAGIC.length + DIGEST);
  const expected = createHash('sha256').update(key).update(data).digest();
  return expected.equals(digest) ? data : undefined;
}

/**
 * Runs a CommonJS file using a code cache and returns its exports. The file sees module, exports,
 * require, __filename, __dirname and `__mcImport(specifier)` (Node's ESM import, for packages); it must
 * not call import() itself (scripts/bundle.mjs rewrites those).
 */
export function loadCached<T>(file: string, options: LoadOptions): CachedModule<T> {
  // An ASCII file (scripts/bundle.mjs makes fast.cjs so) is read as latin1: no UTF-8 decoding.
  const bytes = readFileSync(file);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  // Node's flags (argv and NODE_OPTIONS) change V8's flags, which V8 checks: one cache per set.
  const key = [bundleHash(source), options.name, process.version, process.arch, process.execArgv.join(' '), process.env.NODE_OPTIONS ?? ''].join('\0');
  const safe = options.name.replace(/[^A-Za-z0-9_]/g, '_');
  const fileName = `${safe}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.v8`;
  const dirs = options.disabled ? [] : (options.dirs ?? cacheDirs(file));
  let cachedData: Buffer | undefined;
  let cacheFile: string | undefined;
  for (const dir of dirs) {
    cachedData = readCache(join(dir, fileName), key);
    if (cachedData) {
      cacheFile = join(dir, fileName);
      break;
    }
  }
  // No importModuleDynamically: V8 loses it for code from a cache, so the bundle has no import() and
  // loads packages through __mcImport (Node's own ESM loader, from here) instead.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __mcImport) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const status: CacheStatus = options.disabled ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  const mod = { exports: {} as T };
  const wrapper = script.runInThisContext() as (e: T, r: NodeJS.Require, m: { exports: T }, f: string, d: string, i: (s: string) => Promise<unknown>) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file), (specifier: string) => import(specifier));

  /** Best effort: a cache that cannot be written only costs the next start its compile time. */
  const save = (): void => {
    try {
      write();
    } catch {
      // never fail the command over its cache
    }
  };
  const write = (): void => {
    if (status === 'hit' || status === 'off') return;
    const data = script.createCachedData();
    const digest = createHash('sha256').update(key).update(data).digest();
    for (const dir of dirs) {
      const target = join(dir, fileName);
      const tmp = `${target}.tmp-${process.pid}`;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileSync(tmp, Buffer.concat([MAGIC, digest, data]), { mode: 0o600 });
        renameSync(tmp, target);
      } catch {
        try {
          rmSync(tmp, { force: true });
        } catch {
          // not even a directory there
        }
        continue; // not writable here: try the next directory
      }
      // One file per name: drop the caches of older bundles, Node versions or flags, and temporary
      // files a killed process left behind over a minute ago.
      const mine = new RegExp(`^${safe}-[0-9a-f]{16}\\.v8(\\.tmp-\\d+)?$`);
      for (const old of readdirSync(dir)) {
        if (old === fileName || !mine.test(old)) continue;
        const path = join(dir, old);
        try {
          if (!old.includes('.tmp-') || Date.now() - statSync(path).mtimeMs > 60_000) rmSync(path, { force: true });
        } catch {
          // gone already (another process pruned it)
        }
      }
      cacheFile = target;
      return;
    }
  };
  return {
    exports: mod.exports,
    status,
    get cacheFile() {
      return options.disabled ? undefined : (cacheFile ?? join(dirs[0]!, fileName));
    },
    save,
  };
}
