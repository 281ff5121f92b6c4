/**
 * Host probes of `maestro doctor` that are not isolation layers (those come from the runner's
 * probeIsolation()): each returns { name, ok, detail, hint? } and never throws.
 */
import { spawnSync } from 'node:child_process';

export interface Probe {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

/** GNU time (the runner measures CPU and peak RSS with it). */
export function probeGnuTime(): Probe {
  const r = spawnSync('/usr/bin/time', ['--version'], { encoding: 'utf8', timeout: 5000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error || !/GNU/.test(text)) return { name: 'GNU time', ok: false, detail: '/usr/bin/time is missing or not GNU time', hint: 'apt-get install -y time' };
  return { name: 'GNU time', ok: true, detail: text.trim().split('\n')[0]! };
}
