/**
 * OPA's loading rules for `-d` paths. A `.rego` file is a module; a `.json`/`.yaml`/`.yml` file is data,
 * merged at data's root when named directly and, inside a directory, at its directory's path relative
 * to the directory named (dir/a/b/data.json → data.a.b). Other files and dot-entries are ignored.
 * `prefix:path` (OPA's form, e.g. `-d limits:conf/`) loads `path` under `data.prefix`.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { PolicyError } from './errors.js';
import { parseJsonText } from './json-text.js';
import { type DataOwners, mergeData } from './merge.js';
import { parseYamlText } from './yaml-text.js';

/** One Rego module as read from disk (the same shape as the interpreter's RegoModuleSource). */
export interface ModuleFile {
  path: string;
  text: string;
}

/** Everything loaded from a set of `-d` paths. */
export interface LoadedPolicyFiles {
  modules: ModuleFile[];
  /** The merged base document. */
  data: Record<string, unknown>;
  /** Data files read, in load order (display paths). */
  dataFiles: string[];
}

export interface LoadOptions {
  /** Paths are resolved against this directory (default process.cwd()). */
  cwd?: string;
  /** Load only .rego modules, ignoring data files (as `opa check` does). */
  modulesOnly?: boolean;
}

/**
 * Load modules and data from files and directories, OPA style.
 * @example const { modules, data } = loadPolicyPaths(['policies/quota', 'limits.json']);
 */
export function loadPolicyPaths(paths: readonly string[], opts: LoadOptions = {}): LoadedPolicyFiles {
  const cwd = opts.cwd ?? process.cwd();
  const out: LoadedPolicyFiles = { modules: [], data: {}, dataFiles: [] };
  const owners: DataOwners = new Map();
  // A file named twice (`-d dir -d dir/a.rego`) is loaded once, as OPA does.
  const seen = new Set<string>();
  const load = (file: string, display: string, keys: string[], direct: boolean): void => {
    const id = kindOf(file) === 'rego' ? realpathSync(file) : `${realpathSync(file)}\u0000${keys.join('\u0000')}`;
    if (seen.has(id)) return;
    seen.add(id);
    loadFile(file, display, keys, out, owners, direct);
  };
  for (const arg of paths) {
    const { prefix, path } = splitPrefix(arg, cwd);
    const abs = resolve(cwd, path);
    if (statSync(abs).isDirectory()) {
      for (const file of walk(abs, new Set())) {
        const dirKeys = relative(abs, join(file, '..'))
          .split(sep)
          .filter((k) => k !== '');
        if (opts.modulesOnly && kindOf(file) !== 'rego') continue;
        load(file, displayPath(path, abs, file), [...prefix, ...dirKeys], false);
      }
    } else if (!opts.modulesOnly || kindOf(abs) === 'rego') {
      load(abs, path, prefix, true);
    }
  }
  return out;
}

/**
 * Read an input document (`-i file.json|yaml`).
 * @example const input = loadInputFile('input.json');
 */
export function loadInputFile(path: string, opts: LoadOptions = {}): unknown {
  const abs = resolve(opts.cwd ?? process.cwd(), path);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new PolicyError('POLICY_INPUT_NOT_FOUND', `input file ${path} does not exist`, { kind: 'not_found', hint: 'pass -i <file.json|file.yaml>' });
  }
  return parseDataFile(path, readFileSync(abs, 'utf8'), true);
}

/** Parse data text by extension: .json strictly, .yaml/.yml as YAML (any other: try JSON, then YAML). */
export function parseDataFile(file: string, text: string, lenient = false): unknown {
  const lower = file.toLowerCase();
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return parseYamlText(text, file);
  if (lower.endsWith('.json') || !lenient) return parseJsonText(stripBom(text), file);
  try {
    return parseJsonText(stripBom(text), file);
  } catch {
    return parseYamlText(text, file);
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

type Kind = 'rego' | 'data' | 'other';

function kindOf(name: string): Kind {
  const lower = name.toLowerCase();
  if (lower.endsWith('.rego')) return 'rego';
  if (lower.endsWith('.json') || lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'data';
  return 'other';
}

// Reads one file into `out`; data lands at `keys` (must be an object when merged at the root).
function loadFile(abs: string, display: string, keys: string[], out: LoadedPolicyFiles, owners: DataOwners, direct = false): void {
  const kind = kindOf(abs);
  if (kind === 'other') {
    if (direct) throw new PolicyError('POLICY_UNKNOWN_FILE', `${display}: not a .rego, .json, .yaml or .yml file`, { kind: 'usage' });
    return;
  }
  const text = readText(abs, display);
  if (kind === 'rego') {
    out.modules.push({ path: display, text });
    return;
  }
  const value = parseDataFile(display, text);
  if (keys.length === 0 && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new PolicyError('POLICY_DATA_NOT_OBJECT', `${display}: a data file loaded at the root of data must hold an object`, {
      kind: 'usage',
      hint: 'wrap the value in an object, or put the file in a directory named after the key',
    });
  }
  mergeData(out.data, keys, value, display, owners);
  out.dataFiles.push(display);
}

function readText(abs: string, display: string): string {
  try {
    return readFileSync(abs, 'utf8');
  } catch (err) {
    throw new PolicyError('POLICY_FILE_UNREADABLE', `${display}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, {
      kind: 'usage',
      cause: err,
    });
  }
}

// All files under a directory, sorted for a deterministic load order, skipping dot-entries and
// following symlinks once (a link back to an ancestor is not walked again).
function walk(dir: string, visiting: Set<string>): string[] {
  const real = realpathSync(dir);
  if (visiting.has(real)) return [];
  visiting.add(real);
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) files.push(...walk(p, visiting));
    else if (st?.isFile()) files.push(p);
  }
  visiting.delete(real);
  return files;
}

// Keeps paths as the user wrote them (relative stays relative) so errors match what they typed.
function displayPath(given: string, absRoot: string, file: string): string {
  const rel = relative(absRoot, file);
  return given.endsWith('/') || given.endsWith(sep) ? `${given}${rel}` : join(given, rel);
}

// `prefix:path` as OPA allows, only when `arg` itself does not exist.
function splitPrefix(arg: string, cwd: string): { prefix: string[]; path: string } {
  if (existsSync(resolve(cwd, arg))) return { prefix: [], path: arg };
  const i = arg.indexOf(':');
  if (i > 0) {
    const path = arg.slice(i + 1);
    if (existsSync(resolve(cwd, path))) {
      const prefix = arg
        .slice(0, i)
        .replace(/^data\./, '')
        .split('.')
        .filter((k) => k !== '' && k !== 'data');
      return { prefix, path };
    }
  }
  throw new PolicyError('POLICY_PATH_NOT_FOUND', `${arg}: no such file or directory`, {
    kind: 'not_found',
    hint: 'pass .rego files, data files (.json, .yaml) or directories',
  });
}
