/**
 * Bundle errors: a bad archive, manifest or data file (exit 2), a missing bundle (exit 5), a
 * signature that does not verify (exit 4). Messages start with the bundle or file path.
 */
import { PolicyError, type PolicyErrorOptions } from '../errors.js';

/**
 * @example throw new BundleError('BUNDLE_MANIFEST_INVALID', 'b.tar.gz: /.manifest: roots must be strings')
 */
export class BundleError extends PolicyError {
  constructor(code: string, message: string, options: PolicyErrorOptions = {}) {
    super(code, message, { kind: 'usage', ...options });
  }
}
