/** Walking an execution directory and hashing its files, streaming (constant memory). */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readdirSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionFile } from './receipts.types.js';

/** sha256 (hex) and size of a file, read as a stream. */
export async function sha256File(path: string, onBytes?: (n: number) => void): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.((chunk as Buffer).length);
  }
  return { sha256: hash.digest('hex'), size };
}

/** sha256 (hex) of a buffer or string. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Regular files under `root/sub`, recursively, sorted by path. Symlinks and special files are
 * never followed (a task could plant a link to a host file); they are returned in `skipped`.
 */
export function walkFiles(root: string, sub: string): { files: ExecutionFile[]; skipped: string[] } {
  const files: ExecutionFile[] = [];
  const skipped: string[] = [];
  const visit = (rel: string): void => {
    const abs = join(root, rel);
    for (const name of readdirSync(abs).sort()) {
      const childRel = `${rel}/${name}`;
      const st = lstatSync(join(root, childRel));
      if (st.isDirectory()) visit(childRel);
      else if (st.isFile()) files.push({ path: childRel, absPath: join(root, childRel), size: st.size });
      else skipped.push(childRel);
    }
  };
  if (existsSync(join(root, sub)) && lstatSync(join(root, sub)).isDirectory()) visit(sub);
  files.sort((a, b) => comparePaths(a.path, b.path));
  return { files, skipped };
}

/**
 * walkFiles with the directory reads and stats on libuv's thread pool (what a long-lived server
 * uses per execution, so its event loop only queues them). Same result, same order.
 */
export async function walkFilesAsync(root: string, sub: string): Promise<{ files: ExecutionFile[]; skipped: string[] }> {
  const files: ExecutionFile[] = [];
  const skipped: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const childRel = `${rel}/${name}`;
      const st = await lstat(join(root, childRel));
      if (st.isDirectory()) await visit(childRel);
      else if (st.isFile()) files.push({ path: childRel, absPath: join(root, childRel), size: st.size });
      else skipped.push(childRel);
    }
  };
  let top: Awaited<ReturnType<typeof lstat>> | undefined;
  try {
    top = await lstat(join(root, sub));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (top?.isDirectory()) await visit(sub);
  files.sort((a, b) => comparePaths(a.path, b.path));
  return { files, skipped };
}

function subjectsOf(logs: { files: ExecutionFile[]; skipped: string[] }, out: { files: ExecutionFile[]; skipped: string[] }) {
  const files = [...logs.files.filter((f) => f.path.endsWith('.ndjson')), ...out.files].sort((a, b) => comparePaths(a.path, b.path));
  return { files, skipped: [...logs.skipped, ...out.skipped] };
}

/** Logs (logs/*.ndjson) and outputs (out/**) of an execution: the receipt's subjects. */
export function subjectFiles(executionDir: string): { files: ExecutionFile[]; skipped: string[] } {
  return subjectsOf(walkFiles(executionDir, 'logs'), walkFiles(executionDir, 'out'));
}

/** subjectFiles on libuv's thread pool. */
export async function subjectFilesAsync(executionDir: string): Promise<{ files: ExecutionFile[]; skipped: string[] }> {
  const [logs, out] = await Promise.all([walkFilesAsync(executionDir, 'logs'), walkFilesAsync(executionDir, 'out')]);
  return subjectsOf(logs, out);
}

/** Byte order of UTF-8 paths (what sorted zip entries and index lines use). */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
