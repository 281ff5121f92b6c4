/** Builtins that need the network, crypto or a runtime: present, but raise a clear error naming them. */
import { type BuiltinDef, BuiltinError, registerBuiltins } from './registry.js';

const UNSUPPORTED: Array<[string, number]> = [
  ['http.send', 1],
  ['opa.runtime', 0],
  ['net.lookup_ip_addr', 1],
  ['net.cidr_contains', 2],
  ['net.cidr_intersects', 2],
  ['net.cidr_merge', 1],
  ['net.cidr_expand', 1],
  ['net.cidr_is_valid', 1],
  ['net.cidr_contains_matches', 2],
  ['crypto.sha256', 1],
  ['crypto.sha1', 1],
  ['crypto.md5', 1],
  ['crypto.hmac.sha256', 2],
  ['crypto.hmac.sha1', 2],
  ['crypto.hmac.sha512', 2],
  ['crypto.hmac.md5', 2],
  ['crypto.hmac.equal', 2],
  ['crypto.x509.parse_certificates', 1],
  ['crypto.x509.parse_and_verify_certificates', 1],
  ['crypto.x509.parse_certificate_request', 1],
  ['crypto.x509.parse_rsa_private_key', 1],
  ['crypto.x509.parse_keypair', 2],
  ['crypto.parse_private_keys', 1],
  ['io.jwt.decode', 1],
  ['io.jwt.decode_verify', 2],
  ['io.jwt.verify_rs256', 2],
  ['io.jwt.verify_hs256', 2],
  ['io.jwt.verify_es256', 2],
  ['io.jwt.encode_sign', 3],
  ['io.jwt.encode_sign_raw', 3],
];

registerBuiltins(
  'unsupported',
  UNSUPPORTED.map(
    ([name, arity]): BuiltinDef => ({
      name,
      arity,
      alwaysRaise: true,
      fn: () => {
        throw new BuiltinError(`${name}: builtin not supported by this engine (no network, crypto or runtime access)`, 'unsupported');
      },
    }),
  ),
);
