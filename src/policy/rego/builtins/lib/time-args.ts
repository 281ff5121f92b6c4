// The `ns` or `[ns, tz]` or `[ns, tz, layout]` argument of OPA's time builtins, and time.diff.

import { formatRego, isNumber, typeName, type Value } from '../../value.js';
import { BuiltinError } from '../registry.js';
import { civilFromDays, daysFromCivil, loadZone, toWall, UTC, type WallTime, type Zone } from './civil-time.js';
import { NAMED_LAYOUTS } from './go-layout.js';

/** A resolved time argument: the instant, its zone, wall time there, and an optional layout. */
export interface TzTime {
  ns: bigint;
  zone: Zone;
  wall: WallTime;
  layout: string | undefined;
}

const EXPECTED = 'either number (ns) or [number (ns), string (tz)]';

function typeError(name: string, v: Value): BuiltinError {
  return new BuiltinError(`${name}: operand 1 must be ${EXPECTED} but got ${typeName(v)} (${formatRego(v)})`, 'type');
}

/** Exact integral nanoseconds of a number, as OPA requires ("timestamp too big" otherwise). */
export function toNs(v: number | bigint): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) throw new BuiltinError('timestamp too big');
  return BigInt(v);
}

function elementString(name: string, v: Value | undefined, what: string): string {
  if (typeof v !== 'string') {
    throw new BuiltinError(`${name}: ${what} element of operand 1 must be string but got ${typeName(v ?? null)}`, 'type');
  }
  return v;
}

function resolveZone(name: string, tz: string): Zone {
  try {
    return loadZone(tz);
  } catch (e) {
    throw new BuiltinError(`${name}: ${(e as Error).message}`);
  }
}

/** Decode the time argument of time.date/clock/weekday/add_date/diff/format. */
export function tzTime(arg: Value, name: string): TzTime {
  let nsVal: Value | undefined = arg;
  let zone = UTC;
  let layout: string | undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw typeError(name, arg);
    nsVal = arg[0];
    if (arg.length > 1) zone = resolveZone(name, elementString(name, arg[1], '2nd'));
    if (arg.length > 2) {
      const l = elementString(name, arg[2], '3rd');
      layout = NAMED_LAYOUTS[l] ?? l;
    }
  }
  if (!isNumber(nsVal)) throw typeError(name, arg);
  const ns = toNs(nsVal);
  if (ns < -(2n ** 63n) || ns >= 2n ** 63n) throw new BuiltinError('timestamp too big');
  return { ns, zone, wall: toWall(ns, zone), layout };
}

/**
 * Calendar difference between two instants as [years, months, days, hours, minutes, seconds],
 * both viewed in the first argument's zone, smaller one first (OPA's time.diff).
 */
export function diffWalls(ns1: bigint, ns2: bigint, zone: Zone): number[] {
  const [a, b] = ns1 > ns2 ? [ns2, ns1] : [ns1, ns2];
  const t1 = toWall(a, zone);
  const t2 = toWall(b, zone);
  let year = t2.year - t1.year;
  let month = t2.month - t1.month;
  let day = t2.day - t1.day;
  let hour = t2.hour - t1.hour;
  let min = t2.minute - t1.minute;
  let sec = t2.second - t1.second;
  if (sec < 0) [sec, min] = [sec + 60, min - 1];
  if (min < 0) [min, hour] = [min + 60, hour - 1];
  if (hour < 0) [hour, day] = [hour + 24, day - 1];
  if (day < 0) {
    // Days in t1's month: the 32nd of it normalises into the next month.
    const overflow = civilFromDays(daysFromCivil(t1.year, t1.month, 32)).day;
    day += 32 - overflow;
    month--;
  }
  if (month < 0) [month, year] = [month + 12, year - 1];
  return [year, month, day, hour, min, sec];
}
