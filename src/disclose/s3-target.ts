/** Parsing --to s3://bucket/prefix targets. */
import { DiscloseUsageError } from './errors.js';

/** Split s3://bucket/prefix into bucket and object key for a file name. */
export function parseS3Target(to: string, fileName: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(to);
  if (!m)
    throw new DiscloseUsageError('S3_TARGET_INVALID', `"${to}" is not an s3://bucket/prefix target`, { hint: 'example: --to s3://evidence/maestro/2026' });
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  return { bucket: m[1]!, key: prefix === '' ? fileName : `${prefix}/${fileName}` };
}
