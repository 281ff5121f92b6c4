/**
 * The OPA input every decision evaluates (spec §8, enriched for the packs). Built from typed parts so
 * plan, run, cancel and the bench all produce the same shape; money goes in as integer micro-dollars
 * and comes out in USD.
 */
import type { LoadedManifest } from '../../manifest/manifest.types.js';

/** The input document (spec §8 plus the enrichments of issue 6). */
export interface PolicyInput {
  action: string;
  actor: { sub: string; roles: string[]; tenant: string };
  tenant: {
    id: string;
    name: string;
    quota: { maxConcurrent: number; inUse: number; active: string[] };
    budget: { dailyMaxUSD: number; spentTodayUSD: number };
    requireSandbox: boolean;
  };
  request: { resourceClass: string; region: string };
  plan: { estimatedCostUSD: number };
  workflow: { name: string; region: string; tasks: Array<{ id: string; uses: string; resources: Record<string, unknown> }> };
  runner: { sandbox: string };
}

/** What the packs read of a workflow. */
export interface PolicyWorkflow {
  name: string;
  region: string;
  resourceClass: string;
  tasks: ReadonlyArray<{ id: string; uses: string; resources: object }>;
}

/** The typed parts an input is built from. */
export interface PolicyInputParts {
  action: string;
  identity: { subject: string; roles: readonly string[]; tenantId: string };
  tenant: { id: string; name: string; maxConcurrent: number; dailyBudgetMicros: number; requireSandbox: boolean };
  /** Executions holding slots (queued or running), excluding the one being admitted. */
  activeExecutions: readonly string[];
  /** Spent today in micro-dollars (cost governor's spentTodayMicros). */
  spentTodayMicros: number;
  /** The plan's total estimate in micro-dollars (0 when there is no plan, e.g. cancel). */
  estimateMicros: number;
  /** The workflow (manifest) the action is about, if any. */
  manifest?: LoadedManifest['manifest'];
  /** Or just its policy-relevant shape (e.g. from a cost plan). */
  workflow?: PolicyWorkflow;
  /** Region the caller asks for (--region); defaults to the workflow's region. */
  requestRegion?: string;
  /** Resource class the caller asks for; defaults to the workflow's class. */
  requestResourceClass?: string;
  /** Sandbox the runner would use: "bwrap" or "none". */
  sandbox?: string;
}

const MICROS = 1_000_000;

/**
 * Build the policy input from typed parts.
 * @example
 *   buildPolicyInput({ action: 'run', identity, tenant, activeExecutions: [], spentTodayMicros: 0, estimateMicros: 3_270_000, manifest, sandbox: 'bwrap' })
 */
export function buildPolicyInput(parts: PolicyInputParts): PolicyInput {
  const wf: PolicyWorkflow | undefined = parts.workflow ?? (parts.manifest ? { name: parts.manifest.metadata.name, ...parts.manifest.spec } : undefined);
  const region = wf?.region ?? parts.requestRegion ?? '';
  const resourceClass = wf?.resourceClass ?? parts.requestResourceClass ?? '';
  return {
    action: parts.action,
    actor: { sub: parts.identity.subject, roles: [...parts.identity.roles], tenant: parts.identity.tenantId },
    tenant: {
      id: parts.tenant.id,
      name: parts.tenant.name,
      quota: { maxConcurrent: parts.tenant.maxConcurrent, inUse: parts.activeExecutions.length, active: [...parts.activeExecutions] },
      budget: { dailyMaxUSD: parts.tenant.dailyBudgetMicros / MICROS, spentTodayUSD: parts.spentTodayMicros / MICROS },
      requireSandbox: parts.tenant.requireSandbox,
    },
    request: { resourceClass: parts.requestResourceClass ?? resourceClass, region: parts.requestRegion ?? region },
    plan: { estimatedCostUSD: parts.estimateMicros / MICROS },
    workflow: {
      name: wf?.name ?? '',
      region,
      tasks: (wf?.tasks ?? []).map((t) => ({ id: t.id, uses: t.uses, resources: { ...t.resources } as Record<string, unknown> })),
    },
    runner: { sandbox: parts.sandbox ?? 'bwrap' },
  };
}
