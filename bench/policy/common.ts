/** Shared by the policy benches: argument parsing, percentiles and one run decision's input. */

import type { ResourceClass } from '../../src/manifest/manifest.types.js';
import { buildPolicyInput, type PolicyInput } from '../../src/policy/packs/index.js';
import type { Session } from '../../src/tenancy/index.js';

/** `--name N` from argv, or the default. */
export function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

/** The p-th percentile (nearest rank) of xs. */
export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export interface InputShape {
  active: string[];
  spentTodayMicros: number;
  estimateMicros: number;
  region: string;
  resourceClass: ResourceClass;
  memoryMB: number;
}

/** A one-task `run` decision's input for the session's tenant. */
export function runInput(s: Session, o: InputShape): PolicyInput {
  return buildPolicyInput({
    action: 'run',
    identity: { subject: s.identity.subject, roles: s.identity.roles, tenantId: s.identity.tenantId },
    tenant: s.tenant,
    activeExecutions: o.active,
    spentTodayMicros: o.spentTodayMicros,
    estimateMicros: o.estimateMicros,
    manifest: {
      apiVersion: 'maestro/v1',
      kind: 'Workflow',
      metadata: { name: 'bench', labels: {} },
      spec: {
        region: o.region,
        resourceClass: o.resourceClass,
        tasks: [
          {
            id: 'a',
            uses: 'shell',
            run: 'true',
            needs: [],
            env: {},
            network: false,
            resources: { cpu: 1, memoryMB: o.memoryMB, timeoutSec: 60, tmpMB: 64, pids: 64 },
          },
        ],
      },
    },
    sandbox: 'bwrap',
  });
}
