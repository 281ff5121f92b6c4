/** Parsing helpers for flag values shared by commands. */
import { UsageError } from '../core/errors.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * Parse "3600", "90s", "90m", "12h", "7d" or "2w" into whole seconds.
 * @example parseDuration('12h', '--ttl') // 43200
 */
export function parseDuration(text: string, flag: string): number {
  const m = /^\s*(\d+)\s*([smhdw]?)\s*$/.exec(text);
  if (!m || Number(m[1]) <= 0) {
    throw new UsageError('BAD_DURATION', `${flag}: "${text}" is not a duration`, { hint: 'write e.g. 3600, 90m, 12h or 7d' });
  }
  return Number(m[1]) * UNITS[m[2] || 's']!;
}
