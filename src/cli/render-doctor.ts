/** Human output of `maestro doctor`: one line per check, its fix under a failed one. */
import type { DoctorReport } from '../doctor/index.js';
import { style } from './render.js';

export function renderDoctor(r: DoctorReport): string {
  const w = Math.max(...r.checks.map((c) => c.name.length));
  const lines = r.checks.map((c) => {
    const mark = c.ok ? style.ok('ok  ') : c.required ? style.bad('FAIL') : style.warn('warn');
    const fix = !c.ok && c.hint ? `\n      ${' '.repeat(w)}  ${style.dim(`fix: ${c.hint}`)}` : '';
    return `${mark}  ${c.name.padEnd(w)}  ${c.detail}${fix}`;
  });
  const failed = r.checks.filter((c) => !c.ok && c.required).length;
  lines.push(
    '',
    r.ok
      ? style.ok('maestro can run workflows here.')
      : style.bad(`maestro cannot run workflows here: ${failed} required check${failed === 1 ? '' : 's'} failed.`),
  );
  return lines.join('\n');
}
