/** POST /api/executions: publish a run whose manifest arrived as text; a detached worker executes it. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Session } from '../tenancy/index.js';
import { buildRunHooks } from './hooks.js';

export interface PublishRunRequest {
  manifest: string;
  /** Files of the manifest's workspace, written beside the uploaded manifest. */
  workspace?: { root: string; files: Array<{ path: string; mode: number; data: string }> };
  /** File name shown in messages (default manifest.yaml). */
  name?: string;
  sandbox?: 'bwrap' | 'none';
  region?: string;
}

/**
 * Store the uploaded manifest under the state home and publish it (plan, decide, atomic admission)
 * with the caller's session; returns the execution record (queued, or denied) without waiting.
 * A relative `workspace` resolves against the upload folder, so remote manifests should not use one.
 * @example const r = await publishRun(session, { manifest: yamlText, name: 'wf.yaml' });
 */
export async function publishRun(session: Session, req: PublishRunRequest) {
  const { runManifest } = await import('../runner/index.js');
  const name = basename(req.name ?? 'manifest.yaml');
  if (!/^[\w.-]{1,128}$/.test(name)) throw new UsageError('BAD_MANIFEST_NAME', `manifest name "${name}" is not a plain file name`);
  const dir = join(session.ctx.home, 'uploads', session.ctx.random.uuid());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  writeFileSync(path, req.manifest, { mode: 0o600 });
  if (req.workspace) writeWorkspace(dir, req.workspace);
  const hooks = await buildRunHooks(session, req.region ? { region: req.region } : {});
  return runManifest(session, { manifestPath: path, sandbox: req.sandbox ?? 'bwrap', detach: true, hooks });
}

/**
 * Write uploaded workspace files under the upload folder. Every path is checked before anything is
 * written: escaping the folder, naming the folder itself ("." or ""), duplicates (after normalising),
 * and a file that another file needs as a directory ("a" and "a/b") are 400s naming the path. On any
 * refusal or write failure the upload folder is removed (nothing half-written), and messages name
 * the uploaded path only, never a server path.
 */
function writeWorkspace(dir: string, ws: NonNullable<PublishRunRequest['workspace']>): void {
  try {
    const files = checkWorkspace(dir, ws);
    for (const f of files) {
      mkdirSync(dirname(f.target), { recursive: true, mode: 0o755 });
      // World-readable: the sandboxed task runs as uid 65534 and reads its workspace.
      try {
        writeFileSync(f.target, Buffer.from(f.data, 'base64'), { mode: (f.mode & 0o755) | 0o444 });
      } catch (err) {
        throw new UsageError('WORKSPACE_WRITE_FAILED', `workspace file ${JSON.stringify(f.path)} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

const MAX_SHOWN_PATH = 200;
const shown = (p: string): string => JSON.stringify(p.length > MAX_SHOWN_PATH ? `${p.slice(0, MAX_SHOWN_PATH)}…` : p);

// Every upload path resolved and checked as a set; returns the files with their targets.
function checkWorkspace(dir: string, ws: NonNullable<PublishRunRequest['workspace']>) {
  const root = resolve(dir, ws.root);
  const rootRel = relative(dir, root);
  if (isAbsolute(normalize(ws.root)) || rootRel.startsWith('..') || isAbsolute(rootRel)) {
    throw new UsageError('WORKSPACE_PATH_ESCAPES', `workspace root ${shown(ws.root)} escapes the upload folder`, { hint: 'use a relative root such as "."' });
  }
  const byRel = new Map<string, string>();
  const out: Array<{ path: string; mode: number; data: string; target: string }> = [];
  for (const f of ws.files) {
    const bad = (code: string, why: string) => new UsageError(code, `workspace path ${shown(f.path)} ${why}`, { hint: 'send each file once, as a relative path below the workspace root' });
    if (f.path.includes('\0')) throw bad('WORKSPACE_PATH_INVALID', 'contains a NUL byte');
    if (isAbsolute(f.path)) throw bad('WORKSPACE_PATH_ESCAPES', 'is absolute');
    const target = resolve(root, f.path);
    const rel = relative(root, target);
    const fromDir = relative(dir, target);
    if (fromDir.startsWith('..') || isAbsolute(fromDir)) throw bad('WORKSPACE_PATH_ESCAPES', 'escapes the upload folder');
    if (rel === '' || f.path.endsWith('/')) throw bad('WORKSPACE_PATH_NOT_FILE', 'names a directory, not a file');
    const twin = byRel.get(rel);
    if (twin !== undefined) throw bad('WORKSPACE_PATH_DUPLICATE', twin === f.path ? 'is sent twice' : `is the same file as ${shown(twin)}`);
    byRel.set(rel, f.path);
    out.push({ ...f, target });
  }
  // A file whose path is a parent directory of another file ("a" and "a/b").
  for (const [rel, path] of byRel) {
    for (let parent = dirname(rel); parent !== '.' && parent !== '/' && parent !== ''; parent = dirname(parent)) {
      const file = byRel.get(parent);
      if (file !== undefined) throw new UsageError('WORKSPACE_PATH_CONFLICT', `workspace path ${shown(path)} needs ${shown(file)} to be a directory, but ${shown(file)} is also sent as a file`, { hint: 'drop one of the two paths' });
    }
  }
  return out;
}
