/**
 * The receipts room's front door: keys, signed provenance receipts, offline verification.
 * Heavy libraries (@sigstore/*, @noble/curves) are imported lazily inside the functions that use them.
 * @example
 *   ensureSigningKey(ctx);
 *   const r = await writeReceipt(ctx, executionDir, record);
 *   const v = await verifyReceipt(readReceipt(executionDir), trustedKeysFromHome(ctx));
 */
export { canonicalJson, canonicalJsonFile, sortKeys } from './canonical-json.js';
export { KeyNotFoundError, KeyUsageError, ReceiptError } from './errors.js';
export { comparePaths, sha256File, sha256Hex, subjectFiles, subjectFilesAsync, walkFiles, walkFilesAsync } from './files.js';
export {
  DEFAULT_KEY_NAME,
  ensureSigningKey,
  findKey,
  generateKey,
  KEY_ALGORITHM,
  type KeyInfo,
  keyIdOf,
  keysDir,
  listKeys,
  loadSigningKey,
  parsePublicKeyPem,
  readPublicKeyPem,
  type SigningKey,
} from './keys.js';
export { RECEIPT_FILE, readReceipt, receiptFinishedHook, verifyReceipt, writeReceipt } from './receipt.js';
export type * from './receipts.types.js';
export { IN_TOTO_PAYLOAD_TYPE, LocalKeySigner, preAuthEncoding, signBlobBundle, signDsseBundle } from './signer.js';
export { BUILD_TYPE, BUILDER_ID, buildStatement, maestroVersion, SLSA_PROVENANCE_V1, STATEMENT_TYPE } from './statement.js';
export { type SignedBundleResult, type TrustedKey, trustedKeysFromFiles, trustedKeysFromHome, verifySignedBundle } from './trust.js';
