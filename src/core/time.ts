/** Calendar helpers shared by rooms (day windows per tenant time zone). */

/** Offset of a time zone from UTC at an instant, in milliseconds (e.g. +3600000 for CET in winter). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instantMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The start (UTC ms) and end of the calendar day containing `instantMs` in `timeZone`.
 * @example dayWindow(Date.parse('2026-01-02T03:00:00Z'), 'America/Denver') // starts 2026-01-01T07:00:00Z
 */
export function dayWindow(instantMs: number, timeZone = 'UTC'): { startMs: number; endMs: number } {
  const day = 86_400_000;
  const offset = zoneOffsetMs(instantMs, timeZone);
  const localMidnight = Math.floor((instantMs + offset) / day) * day;
  // Re-read the offset at the candidate start so days that cross a DST change still start at 00:00 local.
  const startMs = localMidnight - zoneOffsetMs(localMidnight - offset, timeZone);
  const nextMidnight = localMidnight + day;
  const endMs = nextMidnight - zoneOffsetMs(nextMidnight - offset, timeZone);
  return { startMs, endMs };
}
