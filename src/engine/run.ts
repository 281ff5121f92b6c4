/** POST /api/executions: publish a run whose manifest arrived as text; a detached worker executes it. */
import { mkdirSync, writeFileSync } from 'node:fs';
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

/** Write uploaded workspace files under the upload folder; any path escaping it is refused. */
function writeWorkspace(dir: string, ws: NonNullable<PublishRunRequest['workspace']>): void {
  const root = resolve(dir, ws.root);
  for (const target of [root, ...ws.files.map((f) => resolve(root, f.path))]) {
    const rel = relative(dir, target);
    if (rel.startsWith('..') || isAbsolute(rel) || isAbsolute(normalize(ws.root))) {
      throw new UsageError('WORKSPACE_PATH_ESCAPES', `workspace path ${relative(dir, target) || ws.root} escapes the upload folder`);
    }
  }
  mkdirSync(root, { recursive: true, mode: 0o755 });
  for (const f of ws.files) {
    const target = resolve(root, f.path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    // World-readable: the sandboxed task runs as uid 65534 and reads its workspace.
    writeFileSync(target, Buffer.from(f.data, 'base64'), { mode: (f.mode & 0o755) | 0o444 });
  }
}
