// Civil (proleptic Gregorian) calendar arithmetic and time-zone offsets, with Go's time semantics.
// Instants are bigint nanoseconds since the Unix epoch; zones are IANA names resolved through Intl.

/** A broken-down wall time in some zone, as Go's time.Time exposes it. */
export interface WallTime {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
  hour: number;
  minute: number;
  second: number;
  nanos: number; // 0..999_999_999
  weekday: number; // 0 = Sunday
  yearDay: number; // 1..366
  offset: number; // seconds east of UTC
  zone: string; // abbreviation ("UTC", "EST", or "+01" style when the zone has none)
}

/** A resolved zone: "UTC" (also for "" and "Local"; Local is UTC for determinism) or an IANA name. */
export interface Zone {
  name: string;
}

export const UTC: Zone = { name: 'UTC' };
const NS_PER_SEC = 1_000_000_000n;

/** Days since 1970-01-01 of a civil date (month may be any integer; it is normalised). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y0 = year + Math.floor((month - 1) / 12);
  const m0 = ((((month - 1) % 12) + 12) % 12) + 1;
  const y = m0 <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m0 + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + 1 - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

/** Civil date of a day number (days since 1970-01-01). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Resolve a zone name as OPA does: "" and "UTC" are UTC, "Local" is UTC here (determinism). */
export function loadZone(name: string): Zone {
  if (name === '' || name === 'UTC' || name === 'Local') return UTC;
  if (!formatters.has(name)) {
    try {
      formatters.set(
        name,
        new Intl.DateTimeFormat('en-US', {
          timeZone: name,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
          era: 'short',
          timeZoneName: 'short',
        }),
      );
    } catch {
      throw new RangeError(`unknown time zone ${name}`);
    }
  }
  return { name };
}

/** Offset (seconds east of UTC) and abbreviation of a zone at an instant given in Unix seconds. */
export function zoneAt(zone: Zone, unixSec: number): { offset: number; abbr: string } {
  if (zone.name === 'UTC') return { offset: 0, abbr: 'UTC' };
  const fmt = formatters.get(zone.name)!;
  const ms = Math.min(Math.max(unixSec * 1000, -8.64e15), 8.64e15);
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const local =
    daysFromCivil(year, Number(parts.month), Number(parts.day)) * 86400 + Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
  const offset = local - Math.floor(ms / 1000);
  return { offset, abbr: abbreviation(zone.name, parts.timeZoneName ?? '', offset, ms) };
}

// ICU's short names depend on the locale ("CET" in en-GB, "GMT+1" in en-US): try a few English
// locales (and Japanese for JST), then fall back to Go's "+01" / "-0530" style.
const ABBR_LOCALES = ['en-GB', 'en-AU', 'en-IN', 'en-ZA', 'ja-JP'];
const abbrCache = new Map<string, string>();
const isAbbr = (s: string): boolean => /^[A-Z]{3,5}$/.test(s);

function abbreviation(zone: string, intlName: string, offset: number, ms: number): string {
  if (isAbbr(intlName)) return intlName;
  const key = `${zone}|${offset}`;
  const hit = abbrCache.get(key);
  if (hit !== undefined) return hit;
  let abbr: string | undefined;
  for (const locale of ABBR_LOCALES) {
    const f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (isAbbr(name)) {
      abbr = name;
      break;
    }
  }
  abbr ??= numericAbbreviation(offset);
  abbrCache.set(key, abbr);
  return abbr;
}

function numericAbbreviation(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = Math.floor((abs % 3600) / 60);
  return sign + hh + (mm ? String(mm).padStart(2, '0') : '');
}

/** Break an instant (ns since epoch) down into wall time in a zone. */
export function toWall(ns: bigint, zone: Zone): WallTime {
  let sec = ns / NS_PER_SEC;
  let nanos = ns % NS_PER_SEC;
  if (nanos < 0n) {
    nanos += NS_PER_SEC;
    sec -= 1n;
  }
  const { offset, abbr } = zoneAt(zone, Number(sec));
  const local = Number(sec) + offset;
  const days = Math.floor(local / 86400);
  const secOfDay = local - days * 86400;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
    nanos: Number(nanos),
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
    offset,
    zone: abbr,
  };
}

/**
 * Instant of a wall time in a zone, normalising out-of-range fields as Go's time.Date does
 * (month 13 is January of the next year, day 0 is the last day of the previous month).
 */
export function fromWall(f: { year: number; month: number; day: number; hour: number; minute: number; second: number; nanos: number }, zone: Zone): bigint {
  const days = daysFromCivil(f.year, f.month, 1) + (f.day - 1);
  const local = BigInt(days) * 86400n + BigInt(f.hour * 3600 + f.minute * 60 + f.second);
  let utc = local;
  if (zone.name !== 'UTC') {
    const guess = zoneAt(zone, Number(local)).offset;
    utc = local - BigInt(guess);
    const check = zoneAt(zone, Number(utc)).offset;
    if (check !== guess) utc = local - BigInt(check);
  }
  return utc * NS_PER_SEC + BigInt(f.nanos);
}

/** Instant of a wall time with a fixed offset (seconds east of UTC). */
export function fromWallFixed(
  f: { year: number; month: number; day: number; hour: number; minute: number; second: number; nanos: number },
  offset: number,
): bigint {
  return fromWall(f, UTC) - BigInt(offset) * NS_PER_SEC;
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** True when ns fits Go's int64 UnixNano. */
export function fitsInt64(ns: bigint): boolean {
  return ns >= INT64_MIN && ns <= INT64_MAX;
}
