/** Execution ids: `ex_` + 26 lowercase Crockford base32 chars (48-bit ms time, 80 random bits). */
import type { Context } from '../core/context.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A new time-sortable execution id.
 * @example newExecutionId(ctx) // 'ex_01jf3k...'
 */
export function newExecutionId(ctx: Pick<Context, 'clock' | 'random'>): string {
  let t = ctx.clock.now();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = ctx.random.bytes(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    rand = ALPHABET[Number(bits & 31n)]! + rand;
    bits >>= 5n;
  }
  return `ex_${time}${rand}`;
}

export const EXECUTION_ID_RE = /^ex_[0-9a-hjkmnp-tv-z]{26}$/;
