// Go's time.Parse over reference-time layouts, returning exact nanoseconds since the epoch.

import { daysFromCivil, fromWallFixed, isLeap } from './civil-time.js';
import { type Chunk, LONG_DAYS, LONG_MONTHS, tokenizeLayout } from './go-layout.js';

/** A Go-style parse error ("parsing time ... as ...: cannot parse ... as ..."). */
export class TimeParseError extends Error {}

interface Fields {
  year: number;
  month: number;
  day: number;
  yday: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  offset: number | undefined;
  pm: boolean;
  am: boolean;
}

const quote = (s: string): string => JSON.stringify(s);
const isDigitAt = (s: string, i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';

// getnum: one or two digits (two required when fixed).
function getnum(s: string, fixed: boolean): [number, string] {
  if (!isDigitAt(s, 0)) throw new Error('bad');
  if (!isDigitAt(s, 1)) {
    if (fixed) throw new Error('bad');
    return [Number(s[0]), s.slice(1)];
  }
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function getnum3(s: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + Number(s[i]);
  if (i === 0 || (fixed && i !== 3)) throw new Error('bad');
  return [n, s.slice(i)];
}

function lookup(table: string[], s: string): [number, string] {
  for (let i = 0; i < table.length; i++) {
    const name = table[i]!;
    if (s.length >= name.length && s.slice(0, name.length).toLowerCase() === name.toLowerCase()) return [i, s.slice(name.length)];
  }
  throw new Error('bad');
}

// Go's skip: literal text must match, a space matches one or more spaces.
function skipLiteral(value: string, prefix: string): string {
  let p = prefix;
  let v = value;
  while (p.length > 0) {
    if (p[0] === ' ') {
      if (v.length > 0 && v[0] !== ' ') throw new Error('bad');
      p = p.replace(/^ +/, '');
      v = v.replace(/^ +/, '');
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) throw new Error('bad');
    p = p.slice(1);
    v = v.slice(1);
  }
  return v;
}

function parseNanos(value: string, nbytes: number): number {
  if (value[0] !== '.' && value[0] !== ',') throw new Error('bad');
  let digits = value.slice(1, nbytes);
  if (!/^\d*$/.test(digits)) throw new Error('bad');
  if (digits.length > 9) digits = digits.slice(0, 9);
  return Number(digits.padEnd(9, '0') || '0');
}

// Numeric zone "-07:00"-style forms; returns offset seconds and the rest.
function parseNumZone(std: string, v: string): [number, string] {
  const colon = std.includes('Colon');
  const short = std.endsWith('ShortTZ');
  const withSec = std.endsWith('SecondsTZ') || std === 'NumSecondsTz';
  const sign = v[0];
  if (sign !== '+' && sign !== '-') throw new Error('bad');
  let rest = v.slice(1);
  const two = (): number => {
    if (!/^\d\d/.test(rest)) throw new Error('bad');
    const n = Number(rest.slice(0, 2));
    rest = rest.slice(2);
    return n;
  };
  const sep = (): void => {
    if (colon) {
      if (rest[0] !== ':') throw new Error('bad');
      rest = rest.slice(1);
    }
  };
  const hh = two();
  let mm = 0;
  let ss = 0;
  if (!short) {
    sep();
    mm = two();
    if (withSec) {
      sep();
      ss = two();
    }
  }
  if (hh > 24 || mm > 60 || ss > 60) throw new Error('bad');
  const off = hh * 3600 + mm * 60 + ss;
  return [sign === '-' ? -off : off, rest];
}

// Zone abbreviations ("MST", "CEST", "GMT+3"): Go fabricates a zero offset for unknown names.
function parseZoneName(v: string): [number, string] {
  if (v.startsWith('UTC')) return [0, v.slice(3)];
  const gmt = /^GMT([+-]\d{1,2})?/.exec(v);
  if (gmt) return [gmt[1] ? Number(gmt[1]) * 3600 : 0, v.slice(gmt[0].length)];
  const m = /^(ChST|MeST|[A-Z]{3,5})/.exec(v);
  if (!m) throw new Error('bad');
  return [0, v.slice(m[0].length)];
}

function parseChunk(c: Extract<Chunk, { kind: 'std' }>, v: string, f: Fields, next: Chunk | undefined): string {
  let n: number;
  let rest: string;
  switch (c.std) {
    case 'Year':
      if (!/^\d\d/.test(v)) throw new Error('bad');
      n = Number(v.slice(0, 2));
      f.year = n >= 69 ? 1900 + n : 2000 + n;
      return v.slice(2);
    case 'LongYear':
      if (!/^\d{4}/.test(v)) throw new Error('bad');
      f.year = Number(v.slice(0, 4));
      return v.slice(4);
    case 'Month':
    case 'LongMonth':
      [n, rest] = lookup(c.std === 'Month' ? LONG_MONTHS.map((m) => m.slice(0, 3)) : LONG_MONTHS, v);
      f.month = n + 1;
      return rest;
    case 'NumMonth':
    case 'ZeroMonth':
      [f.month, rest] = getnum(v, c.std === 'ZeroMonth');
      if (f.month < 1 || f.month > 12) throw new RangeError('month');
      return rest;
    case 'WeekDay':
    case 'LongWeekDay':
      return lookup(c.std === 'WeekDay' ? LONG_DAYS.map((d) => d.slice(0, 3)) : LONG_DAYS, v)[1];
    case 'Day':
    case 'UnderDay':
    case 'ZeroDay':
      if (c.std === 'UnderDay' && v[0] === ' ') v = v.slice(1);
      [f.day, rest] = getnum(v, c.std === 'ZeroDay');
      return rest;
    case 'UnderYearDay':
    case 'ZeroYearDay':
      for (let i = 0; i < 2 && c.std === 'UnderYearDay' && v[0] === ' '; i++) v = v.slice(1);
      [f.yday, rest] = getnum3(v, c.std === 'ZeroYearDay');
      return rest;
    case 'Hour':
      [f.hour, rest] = getnum(v, false);
      if (f.hour > 23) throw new RangeError('hour');
      return rest;
    case 'Hour12':
    case 'ZeroHour12':
      [f.hour, rest] = getnum(v, c.std === 'ZeroHour12');
      if (f.hour > 12) throw new RangeError('hour');
      return rest;
    case 'Minute':
    case 'ZeroMinute':
      [f.minute, rest] = getnum(v, c.std === 'ZeroMinute');
      if (f.minute > 59) throw new RangeError('minute');
      return rest;
    case 'Second':
    case 'ZeroSecond':
      [f.second, rest] = getnum(v, c.std === 'ZeroSecond');
      if (f.second > 59) throw new RangeError('second');
      return parseImplicitFraction(rest, f, next);
    default:
      return parseChunkRest(c, v, f);
  }
}

// Go accepts a fractional second after seconds even when the layout has none.
function parseImplicitFraction(rest: string, f: Fields, next: Chunk | undefined): string {
  const nextIsFrac = next?.kind === 'std' && next.std.startsWith('FracSecond');
  if (rest.length >= 2 && (rest[0] === '.' || rest[0] === ',') && isDigitAt(rest, 1) && !nextIsFrac) {
    let n = 2;
    while (isDigitAt(rest, n)) n++;
    f.nanos = parseNanos(rest, n);
    return rest.slice(n);
  }
  return rest;
}

function parseChunkRest(c: Extract<Chunk, { kind: 'std' }>, v: string, f: Fields): string {
  let rest: string;
  switch (c.std) {
    case 'PM':
    case 'pm': {
      const p = v.slice(0, 2);
      const [pm, am] = c.std === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
      if (p === pm) f.pm = true;
      else if (p === am) f.am = true;
      else throw new Error('bad');
      return v.slice(2);
    }
    case 'TZ':
      [f.offset, rest] = parseZoneName(v);
      return rest;
    case 'FracSecond0': {
      const nb = 1 + c.digits!;
      if (v.length < nb) throw new Error('bad');
      f.nanos = parseNanos(v, nb);
      return v.slice(nb);
    }
    case 'FracSecond9': {
      if (v.length < 2 || (v[0] !== '.' && v[0] !== ',') || !isDigitAt(v, 1)) return v;
      let i = 0;
      while (i < 9 && isDigitAt(v, i + 1)) i++;
      f.nanos = parseNanos(v, 1 + i);
      return v.slice(1 + i);
    }
    default:
      if (c.std.startsWith('ISO8601') && v[0] === 'Z') {
        f.offset = 0;
        return v.slice(1);
      }
      [f.offset, rest] = parseNumZone(c.std, v);
      return rest;
  }
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Parse `value` with a Go layout, as Go's time.Parse (zone-less values are UTC). Returns ns. */
export function parseLayout(layout: string, value: string): bigint {
  const f: Fields = { year: 0, month: -1, day: -1, yday: -1, hour: 0, minute: 0, second: 0, nanos: 0, offset: undefined, pm: false, am: false };
  const chunks = tokenizeLayout(layout);
  let v = value;
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    const before = v;
    try {
      v = c.kind === 'lit' ? skipLiteral(v, c.text) : parseChunk(c, v, f, chunks[i + 1]);
    } catch (e) {
      // Go: range errors name only the value; syntax errors name the layout and the failing chunk.
      if (e instanceof RangeError) throw new TimeParseError(`parsing time ${quote(value)}: ${e.message} out of range`);
      throw new TimeParseError(`parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(before)} as ${quote(c.text)}`);
    }
  }
  if (v.length > 0) throw new TimeParseError(`parsing time ${quote(value)}: extra text: ${quote(v)}`);
  return finish(f, value);
}

function finish(f: Fields, value: string): bigint {
  if (f.pm && f.hour < 12) f.hour += 12;
  else if (f.am && f.hour === 12) f.hour = 0;
  if (f.yday >= 0) {
    const days = daysFromCivil(f.year, 1, 1) + f.yday - 1;
    const total = isLeap(f.year) ? 366 : 365;
    if (f.yday < 1 || f.yday > total) throw new TimeParseError(`parsing time ${quote(value)}: day-of-year out of range`);
    let m = 1;
    while (m < 12 && daysFromCivil(f.year, m + 1, 1) <= days) m++;
    const d = days - daysFromCivil(f.year, m, 1) + 1;
    if ((f.month >= 0 && f.month !== m) || (f.day >= 0 && f.day !== d)) {
      throw new TimeParseError(`parsing time ${quote(value)}: day-of-year does not match ${f.day >= 0 ? 'day' : 'month'}`);
    }
    f.month = m;
    f.day = d;
  }
  if (f.month < 0) f.month = 1;
  if (f.day < 0) f.day = 1;
  if (f.day < 1 || f.day > daysIn(f.month, f.year)) {
    throw new TimeParseError(`parsing time ${quote(value)}: day out of range`);
  }
  return fromWallFixed({ ...f }, f.offset ?? 0);
}
