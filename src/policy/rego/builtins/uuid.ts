// Builtin family: uuid (uuid.rfc4122 one value per evaluation and key, uuid.parse).

import { mkNumber, mkObjectFrom, type Value } from '../value.js';
import { formatUuidV4, parseUuid } from './lib/uuid.js';
import { argString, type BuiltinContext, registerBuiltins } from './registry.js';

// Random bytes from the evaluation's seeded source when it has one, else the system CSPRNG.
function randomBytes(bctx: BuiltinContext): Uint8Array {
  const b = new Uint8Array(16);
  if (bctx.random) for (let i = 0; i < 16; i++) b[i] = Math.floor(bctx.random() * 256) & 0xff;
  else globalThis.crypto.getRandomValues(b); // Web Crypto global: no module to load
  return b;
}

registerBuiltins('uuid', [
  {
    name: 'uuid.rfc4122',
    arity: 1,
    nondeterministic: true, // the evaluator caches one value per evaluation and key
    fn: (a, bctx) => {
      const key = `uuid.rfc4122:${argString(a, 0, 'uuid.rfc4122')}`;
      const hit = bctx.cache.get(key);
      if (hit !== undefined) return hit;
      const id = formatUuidV4(randomBytes(bctx));
      bctx.cache.set(key, id);
      return id;
    },
  },
  {
    name: 'uuid.parse',
    arity: 1,
    fn: (a) => {
      const info = parseUuid(argString(a, 0, 'uuid.parse'));
      if (!info) return undefined;
      const rec: Record<string, Value> = {};
      for (const [k, v] of Object.entries(info)) rec[k] = typeof v === 'string' ? v : mkNumber(v);
      return mkObjectFrom(rec);
    },
  },
]);
