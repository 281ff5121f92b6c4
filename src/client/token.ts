/**
 * The token a thin client sends: MAESTRO_TOKEN, else the token stored for that remote by
 * `maestro login --remote URL --code X` (<home>/remotes/<host>-<hash>.json, 0600), else the
 * state home's own token. Reading never initialises the state home.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../core/context.js';
import { tokenPath, writeSecretFile } from '../tenancy/tokens.js';

export interface RemoteLogin {
  url: string;
  token: string;
  subject: string;
  tenant: string;
  role: string;
  expiresAt: string;
}

/** One file per remote, named by host and a hash of the normalised URL. */
export function remoteTokenPath(home: string, url: string): string {
  const u = new URL(url);
  const norm = `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  const host = u.host.replace(/[^A-Za-z0-9.-]/g, '_');
  return join(home, 'remotes', `${host}-${createHash('sha256').update(norm).digest('hex').slice(0, 12)}.json`);
}

/** Stores a remote's token (mode 0600, folder 0700); returns the file. */
export function storeRemoteLogin(ctx: Pick<Context, 'home'>, login: RemoteLogin): string {
  const path = remoteTokenPath(ctx.home, login.url);
  mkdirSync(join(ctx.home, 'remotes'), { recursive: true, mode: 0o700 });
  writeSecretFile(path, `${JSON.stringify(login, null, 2)}\n`);
  return path;
}

/** The stored login for a remote, if any (expired ones too: the server then says how to renew). */
export function readRemoteLogin(ctx: Pick<Context, 'home'>, url: string): RemoteLogin | undefined {
  try {
    const path = remoteTokenPath(ctx.home, url);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RemoteLogin) : undefined;
  } catch {
    return undefined;
  }
}

export function remoteToken(ctx: Context, url?: string): string | undefined {
  const env = ctx.env.MAESTRO_TOKEN?.trim();
  if (env) return env;
  const stored = url ? readRemoteLogin(ctx, url) : undefined;
  if (stored?.token) return stored.token;
  const path = tokenPath(ctx.home);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
