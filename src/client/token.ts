/** The token a thin client sends: MAESTRO_TOKEN, else the one stored in the state home (no auto-init). */
import { existsSync, readFileSync } from 'node:fs';
import type { Context } from '../core/context.js';
import { tokenPath } from '../tenancy/tokens.js';

export function remoteToken(ctx: Context): string | undefined {
  const env = ctx.env.MAESTRO_TOKEN?.trim();
  if (env) return env;
  const path = tokenPath(ctx.home);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
