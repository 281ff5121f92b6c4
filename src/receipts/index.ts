/**
 * The receipts room's front door: keys, signed provenance receipts, offline verification.
 * Heavy libraries (@sigstore/*, @noble/curves) are imported lazily inside the functions that use them.
 * @example
 *   ensureSigningKey(ctx);
 *   const r = await writeReceipt(ctx, executionDir, record);
 *   const v = await verifyReceipt(readReceipt(executionDir), trustedKeysFromHome(ctx));
 */
export { canonicalJson, canonicalJsonFile, sortKeys } from './canonical-json.js';
export { ReceiptError, KeyNotFoundError, KeyUsageError } from './errors.js';
export { comparePaths, sha256File, sha256Hex, subjectFiles, walkFiles } from './files.js';
export {
  DEFAULT_KEY_NAME,
  KEY_ALGORITHM,
  ensureSigningKey,
  findKey,
  generateKey,
  keyIdOf,
  keysDir,
  listKeys,
  loadSigningKey,
  parsePublicKeyPem,
  readPublicKeyPem,
  type KeyInfo,
  type SigningKey,
} from './keys.js';
export { RECEIPT_FILE, readReceipt, receiptFinishedHook, verifyReceipt, writeReceipt } from './receipt.js';
export { IN_TOTO_PAYLOAD_TYPE, LocalKeySigner, preAuthEncoding, signBlobBundle, signDsseBundle } from './signer.js';
export { BUILD_TYPE, BUILDER_ID, SLSA_PROVENANCE_V1, STATEMENT_TYPE, buildStatement, maestroVersion } from './statement.js';
export { trustedKeysFromFiles, trustedKeysFromHome, verifySignedBundle, type SignedBundleResult, type TrustedKey } from './trust.js';
export type * from './receipts.types.js';
