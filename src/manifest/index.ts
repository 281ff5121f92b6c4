/**
 * The manifest room's front door: read, validate (schema then semantics, every error located) and
 * normalise Manifest v1 files. Other rooms import only from here. Cheap to import: the YAML parser and
 * the schema validator are loaded by the first validation.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Context } from '../core/context.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { ManifestError } from './errors.js';
import type { LoadedManifest, ManifestDiagnostic } from './manifest.types.js';
import { MANIFEST_SCHEMA } from './schema.js';

export { ManifestError } from './errors.js';
export { formatDiagnostic } from './format.js';
export * from './manifest.types.js';
export { DEFAULT_RESOURCES, normalize, topoOrder } from './normalize.js';
export { MAX_TASKS } from './schema.js';

/** Largest manifest accepted, in bytes. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface ValidationResult {
  valid: boolean;
  /** The path as the caller gave it (used in every diagnostic). */
  file: string;
  /** Every problem, in source order. Empty when valid. */
  diagnostics: ManifestDiagnostic[];
  /** The normalised manifest, when valid. */
  manifest?: LoadedManifest;
}

export interface SourceOptions {
  /** Name used in diagnostics (default "manifest.yaml"). */
  file?: string;
  /** Absolute path of the manifest (default: `file` resolved against baseDir). */
  path?: string;
  /** Folder the workspace is resolved against; without it the workspace is only checked lexically. */
  baseDir?: string;
}

/**
 * Validate manifest text already in memory (e.g. a body received over HTTP).
 * @example
 *   const r = await validateManifestSource(yamlText, { file: 'upload.yaml' });
 *   if (!r.valid) console.error(r.diagnostics.map(formatDiagnostic).join('\n'));
 */
export async function validateManifestSource(source: string | Buffer, opts: SourceOptions = {}): Promise<ValidationResult> {
  const file = opts.file ?? 'manifest.yaml';
  // The YAML parser and the validator load on first use, so importing this module stays cheap.
  const { runPipeline } = await import('./validate.js');
  const r = await runPipeline(source, file, opts.path, opts.baseDir);
  return { valid: r.diagnostics.length === 0, file, diagnostics: r.diagnostics, ...(r.manifest ? { manifest: r.manifest } : {}) };
}

/**
 * Validate a manifest file, reporting every error with file, line, column and field. Throws only when
 * the file cannot be read (NotFoundError, exit 5; UsageError for a directory or an oversized file).
 * @example
 *   const r = await validateManifestFile('fixtures/manifests/hello.yaml');
 *   r.valid; // true
 *   r.manifest?.manifest.spec.tasks.length; // 2
 */
export async function validateManifestFile(path: string, opts: { cwd?: string } = {}): Promise<ValidationResult> {
  const abs = resolve(opts.cwd ?? process.cwd(), path);
  const bytes = readManifestBytes(path, abs);
  return validateManifestSource(bytes, { file: path, path: abs, baseDir: dirname(abs) });
}

/**
 * Read, validate and normalise a manifest; throws ManifestError (MANIFEST_INVALID, exit 2) listing
 * every diagnostic when it is not valid.
 * @example
 *   const m = await loadManifest('wf.yaml', ctx);
 *   for (const t of topoOrder(m)) console.log(t.id, t.resources.timeoutSec);
 */
export async function loadManifest(path: string, ctx: Pick<Context, 'cwd'>): Promise<LoadedManifest> {
  const r = await validateManifestFile(path, { cwd: ctx.cwd });
  if (!r.valid || !r.manifest) throw new ManifestError(r.file, r.diagnostics);
  return r.manifest;
}

/**
 * The Manifest v1 JSON Schema (draft 2020-12), as published by `maestro manifest schema`.
 * @example JSON.stringify(manifestSchema(), null, 2)
 */
export function manifestSchema(): Record<string, unknown> {
  return structuredClone(MANIFEST_SCHEMA) as unknown as Record<string, unknown>;
}

function readManifestBytes(given: string, abs: string): Buffer {
  let size: number;
  try {
    const st = statSync(abs);
    if (st.isDirectory()) {
      throw new UsageError('MANIFEST_NOT_A_FILE', `${given} is a directory, not a manifest file`, { hint: 'pass the path of a .yaml file' });
    }
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new NotFoundError('MANIFEST_NOT_FOUND', `manifest file not found: ${given} (looked at ${abs})`, {
        hint: 'check the spelling, or give the path relative to the current directory',
        cause: err,
      });
    }
    throw err;
  }
  if (size > MAX_MANIFEST_BYTES) {
    throw new UsageError('MANIFEST_TOO_LARGE', `${given} is ${size} bytes; manifests are limited to ${MAX_MANIFEST_BYTES} bytes`);
  }
  return readFileSync(abs);
}

/** The --json shape of `maestro manifest validate`. */
export interface ValidationReport {
  valid: boolean;
  file: string;
  errors: ManifestDiagnostic[];
}

/**
 * The stable JSON report of a validation (what `maestro manifest validate --json` prints).
 * @example validationReport(await validateManifestFile('bad.yaml')).errors[0].line
 */
export function validationReport(r: ValidationResult): ValidationReport {
  return {
    valid: r.valid,
    file: r.file,
    errors: r.diagnostics.map((d) => ({ file: d.file, line: d.line, column: d.column, field: d.field, message: d.message, code: d.code })),
  };
}
