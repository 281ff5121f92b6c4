/**
 * The disclosure room's front door: deterministic packs, export, upload, verification.
 * Heavy libraries (yazl, yauzl, @aws-sdk/*, @sigstore/*) are imported lazily inside functions.
 * @example
 *   const r = await exportPack(ctx, { executionId: 'ex_…', output: 'pack.zip' });
 *   const v = await verifyPack(ctx, 'pack.zip', { keyFiles: ['pub.pem'] }); // v.ok, v.checks
 */

export type * from './disclose.types.js';
export { DiscloseError, DiscloseNotFoundError, DiscloseUsageError } from './errors.js';
export { EVIDENCE_DIR_PREFIX, exportPack, locateExecution, processAlive, sweepStaleEvidenceDirs, sweepStaleTemps } from './export.js';
export { contentHash, INDEX_FILE, INDEX_FORMAT, INDEX_SIG_FILE, type IndexEntry, type PackIndex } from './pack-index.js';
export { openS3Store, type S3Store, type S3StoreOptions } from './s3-store.js';
export { parseS3Target } from './s3-target.js';
export { uploadPack, uploadStatePath } from './upload.js';
export { verifyPack } from './verify.js';
export { dosDateTimeUtc, writeZip, ZIP_COMPRESSION_LEVEL, ZIP_EPOCH_DEFAULT, ZIP_FILE_MODE, type ZipInput, type ZipOptions, zipEpochFromEnv } from './zip.js';
