/** The pack index (index.json): every other entry's path, size and sha256, plus a content hash. */
import { createHash } from 'node:crypto';

export const INDEX_FILE = 'index.json';
export const INDEX_SIG_FILE = 'index.sig.json';
export const INDEX_FORMAT = 'https://maestro-conductor.dev/disclosure-index/v1';

export interface IndexEntry {
  path: string;
  size: number;
  sha256: string;
}

export interface PackIndex {
  format: string;
  executionId: string;
  algorithm: 'sha256';
  entries: IndexEntry[];
  /** sha256 over the lines "<sha256>  <path>\n" (sha256sum format), sorted bytewise, concatenated. */
  contentHash: string;
}

/** The index content hash: `sha256sum`-style lines, sorted bytewise, each ending in "\n". */
export function contentHash(entries: ReadonlyArray<{ path: string; sha256: string }>): string {
  const lines = entries.map((e) => Buffer.from(`${e.sha256}  ${e.path}\n`, 'utf8')).sort(Buffer.compare);
  const h = createHash('sha256');
  for (const l of lines) h.update(l);
  return h.digest('hex');
}
