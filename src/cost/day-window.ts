/**
 * The budget day: a tenant's day runs midnight to midnight in its `dayTimezone` (IANA name, UTC by
 * default). An unknown zone name falls back to UTC rather than breaking budget reads.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      f = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name this Node knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The tenant-local calendar day (YYYY-MM-DD) of an instant.
 * @example tenantDay(Date.parse('2026-01-01T03:00:00Z'), 'America/Denver') // '2025-12-31'
 */
export function tenantDay(ms: number, timeZone = 'UTC'): string {
  // UTC (the default) needs no time-zone data: building the first Intl formatter loads ICU, which
  // cost about 16 ms of every `maestro whoami` (ADR 0033). Same digits as the en-CA formatter.
  if (!timeZone || timeZone === 'UTC') {
    const d = new Date(ms);
    const year = d.getUTCFullYear();
    if (year >= 1000 && year <= 9999) return d.toISOString().slice(0, 10);
  }
  const parts = formatter(timeZone || 'UTC').formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}`;
}
