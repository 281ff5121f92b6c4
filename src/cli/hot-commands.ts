/**
 * The bodies of the commands scripts call in loops (whoami, status). The oclif commands and the
 * start-up fast path (ADR 0033) both call these, so the two paths cannot drift apart.
 */
import { renderWhoAmI } from './render-tenancy.js';
import type { CommandRuntime } from './runtime.js';

/** `maestro whoami`: subject, tenant, roles, quota and budget use. */
export async function whoamiBody(rt: CommandRuntime): Promise<void> {
  rt.emit(await (await rt.api()).whoami(), renderWhoAmI);
}

/** `maestro status [id] [--all] [--explain]`: one execution (the latest by default), or all of them. */
export async function statusBody(rt: CommandRuntime, id: string | undefined, flags: { all: boolean; explain: boolean }): Promise<void> {
  const api = await rt.api();
  if (flags.all) {
    const { renderExecutionList } = await import('./render-run.js');
    rt.emit(await api.executions(), renderExecutionList);
    return;
  }
  const { renderStatusView } = await import('./render-engine.js');
  rt.emit(await api.status(id, flags.explain), renderStatusView);
}
