/** Human output for the composed operations: plan with its policy verdict, status with cost and policy. */

import type { Plan } from '../cost/index.js';
import type { ExecutionStatusView } from '../engine/index.js';
import type { Decision, StatusPolicy } from '../policy/packs/index.js';
import { fields } from './render.js';
import { renderCostLine, renderPlan } from './render-cost.js';
import { renderDecision, renderStatusPolicy } from './render-packs.js';
import { renderExecution } from './render-run.js';

export function renderPlanWithPolicy(r: Plan & { policy: Decision }, explain: boolean): string {
  return `${renderPlan(r)}\n\n${renderDecision(r.policy, explain)}`;
}

export function renderStatusView(v: ExecutionStatusView): string {
  const cost = fields([['cost', renderCostLine(v.cost)]]);
  const queued =
    v.queuePosition == null ? '' : `\n${fields([['queue', `position ${v.queuePosition}${v.waitingForSlot ? ', waiting for a quota slot' : ''}`]])}`;
  const base = `${renderExecution(v)}${queued}\n\n${cost}`;
  const policy = (v as { policy?: StatusPolicy }).policy;
  return policy ? `${base}\n\n${renderStatusPolicy(policy)}` : base;
}

/** `run` output: the execution, or the one-line denial, or where to follow a detached run. */
export function renderRunView(v: ExecutionStatusView): string {
  if (v.status === 'denied') return `execution ${v.id} denied`;
  if (v.status === 'queued' || v.status === 'running') {
    const pos = v.queuePosition == null ? '' : `, queue position ${v.queuePosition}${v.waitingForSlot ? ', waiting for a quota slot' : ''}`;
    return `execution ${v.id} ${v.status}${pos} (follow with: maestro logs ${v.id} --follow)`;
  }
  return renderStatusView(v);
}
