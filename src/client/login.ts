/** `maestro login --remote URL --code X`: exchange an enrolment code at the server for a stored token. */
import type { Context } from '../core/context.js';
import { ControlPlaneClient } from './http.js';
import { storeRemoteLogin } from './token.js';

export interface RemoteLoginResult {
  remote: string;
  subject: string;
  tenant: string;
  role: string;
  expiresAt: string;
  tokenPath: string;
  token?: string;
}

/**
 * Redeems the code (POST /api/enrol) and stores the token for that remote (0600), unless `print`.
 * @example await loginRemote(ctx, { remote: 'http://127.0.0.1:8080', code: 'mce_…' })
 */
export async function loginRemote(ctx: Context, opts: { remote: string; code: string; ttlSec?: number; print?: boolean }): Promise<RemoteLoginResult> {
  const client = new ControlPlaneClient({ baseUrl: opts.remote, attempts: 1 });
  try {
    const e = await client.json<{ token: string; subject: string; tenant: string; role: string; expiresAt: string }>('POST', '/api/enrol', {
      code: opts.code,
      ...(opts.ttlSec ? { ttlSec: opts.ttlSec } : {}),
    });
    const login = { url: opts.remote, token: e.token, subject: e.subject, tenant: e.tenant, role: e.role, expiresAt: e.expiresAt };
    const tokenPath = opts.print ? '' : storeRemoteLogin(ctx, login);
    return {
      remote: opts.remote,
      subject: e.subject,
      tenant: e.tenant,
      role: e.role,
      expiresAt: e.expiresAt,
      tokenPath,
      ...(opts.print ? { token: e.token } : {}),
    };
  } finally {
    await client.close();
  }
}
