// Shared set-up for the packs tests: a real state home (SQLite, keys) in a temp folder.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Context, createContext } from '../../../src/core/context.js';
import { buildPolicyInput, type PolicyInput, type PolicyInputParts } from '../../../src/policy/packs/index.js';
import { openSession, type Session } from '../../../src/tenancy/index.js';

export const REPO = join(import.meta.dirname, '../../..');

export async function tempSession(env: Record<string, string> = {}): Promise<Session> {
  const home = mkdtempSync(join(tmpdir(), 'mc-packs-'));
  const ctx = createContext({ env: { MAESTRO_HOME: home, MAESTRO_SUBJECT: 'root@local', ...env }, cwd: REPO });
  return openSession(ctx);
}

/** The same session with extra environment (e.g. MAESTRO_PDP_DELAY_MS). */
export function withEnv(session: Session, env: Record<string, string>): Session {
  const ctx: Context = createContext({ env: { ...session.ctx.env, ...env }, cwd: session.ctx.cwd, home: session.ctx.home });
  return { ...session, ctx };
}

/** A copy of the shipped packs that a test may modify. */
export function copyPacks(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'mc-packs-src-')), 'policies');
  cpSync(join(REPO, 'policies'), dir, { recursive: true });
  return dir;
}

const MANIFEST = {
  apiVersion: 'maestro/v1' as const,
  kind: 'Workflow' as const,
  metadata: { name: 'etl', labels: {} },
  spec: {
    region: 'EU',
    resourceClass: 'medium' as const,
    tasks: [
      {
        id: 'a',
        uses: 'shell' as const,
        run: 'true',
        needs: [],
        env: {},
        network: false,
        resources: { cpu: 1, memoryMB: 512, timeoutSec: 60, tmpMB: 64, pids: 64 },
      },
    ],
  },
};

/** An input for the session's tenant; override any part. */
export function inputFor(session: Session, over: Partial<PolicyInputParts> = {}): PolicyInput {
  return buildPolicyInput({
    action: 'run',
    identity: { subject: session.identity.subject, roles: session.identity.roles, tenantId: session.identity.tenantId },
    tenant: { ...session.tenant, maxConcurrent: 5, dailyBudgetMicros: 100_000_000 },
    activeExecutions: [],
    spentTodayMicros: 0,
    estimateMicros: 1_000_000,
    manifest: MANIFEST,
    sandbox: 'bwrap',
    ...over,
  });
}
