/** The `verification` option of bundle loading, from the shared --verification-key/--signing-alg/--scope flags. */
export function bundleVerification(flags: { 'verification-key'?: string | undefined; 'signing-alg': string; scope?: string | undefined }) {
  if (flags['verification-key'] === undefined) return {};
  return { verification: { key: flags['verification-key'], alg: flags['signing-alg'], ...(flags.scope !== undefined ? { scope: flags.scope } : {}) } };
}
