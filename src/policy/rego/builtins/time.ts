// Builtin family: time (OPA's time.* with Go's time semantics, exact nanoseconds as bigint).

import { mkNumber, type Value } from '../value.js';
import { fitsInt64, fromWall, type WallTime, type Zone } from './lib/civil-time.js';
import { DurationError, parseGoDuration } from './lib/go-duration.js';
import { formatLayout, NAMED_LAYOUTS } from './lib/go-layout.js';
import { parseLayout, TimeParseError } from './lib/go-parse.js';
import { diffWalls, tzTime } from './lib/time-args.js';
import { argInt, argString, BuiltinError, registerBuiltins } from './registry.js';

const RFC3339 = NAMED_LAYOUTS.RFC3339!;
const RFC3339_NANO = NAMED_LAYOUTS.RFC3339Nano!;

// Go's UnixNano is only defined within int64; OPA reports the rest as out of range.
function nsResult(ns: bigint): Value {
  if (!fitsInt64(ns)) throw new BuiltinError('time outside of valid range');
  return mkNumber(ns);
}

function parseWith(name: string, layout: string, value: string): Value {
  try {
    return nsResult(parseLayout(layout, value));
  } catch (e) {
    if (e instanceof TimeParseError) throw new BuiltinError(`${name}: ${e.message}`);
    throw e;
  }
}

function addDate(t: WallTime, zone: Zone, years: number, months: number, days: number): bigint {
  return fromWall({ ...t, year: t.year + years, month: t.month + months, day: t.day + days }, zone);
}

registerBuiltins('time', [
  { name: 'time.now_ns', arity: 0, nondeterministic: true, fn: (_a, bctx) => mkNumber(bctx.now()) },
  {
    name: 'time.parse_rfc3339_ns',
    arity: 1,
    fn: (a) => parseWith('time.parse_rfc3339_ns', RFC3339, argString(a, 0, 'time.parse_rfc3339_ns')),
  },
  {
    name: 'time.parse_ns',
    arity: 2,
    fn: (a) => parseWith('time.parse_ns', argString(a, 0, 'time.parse_ns'), argString(a, 1, 'time.parse_ns')),
  },
  {
    name: 'time.parse_duration_ns',
    arity: 1,
    fn: (a) => {
      const s = argString(a, 0, 'time.parse_duration_ns');
      try {
        return mkNumber(parseGoDuration(s));
      } catch (e) {
        if (e instanceof DurationError) throw new BuiltinError(`time.parse_duration_ns: ${e.message}`);
        throw e;
      }
    },
  },
  {
    name: 'time.date',
    arity: 1,
    fn: (a) => {
      const t = tzTime(a[0]!, 'time.date').wall;
      return [t.year, t.month, t.day];
    },
  },
  {
    name: 'time.clock',
    arity: 1,
    fn: (a) => {
      const t = tzTime(a[0]!, 'time.clock').wall;
      return [t.hour, t.minute, t.second];
    },
  },
  {
    name: 'time.weekday',
    arity: 1,
    fn: (a) => formatLayout('Monday', tzTime(a[0]!, 'time.weekday').wall),
  },
  {
    name: 'time.add_date',
    arity: 4,
    fn: (a) => {
      const name = 'time.add_date';
      const [y, m, d] = [argInt(a, 1, name), argInt(a, 2, name), argInt(a, 3, name)];
      const { wall, zone } = tzTime(a[0]!, name);
      // Out of int64 nanoseconds: OPA's builtin error (undefined unless strict)
      const outside = new BuiltinError('time.add_date: time outside of valid range');
      if (Math.abs(wall.year + y) > 1e8) throw outside;
      const ns = addDate(wall, zone, y, m, d);
      if (!fitsInt64(ns)) throw outside;
      return mkNumber(ns);
    },
  },
  {
    name: 'time.diff',
    arity: 2,
    fn: (a) => {
      const t1 = tzTime(a[0]!, 'time.diff');
      const t2 = tzTime(a[1]!, 'time.diff');
      return diffWalls(t1.ns, t2.ns, t1.zone);
    },
  },
  {
    name: 'time.format',
    arity: 1,
    fn: (a) => {
      const t = tzTime(a[0]!, 'time.format');
      return formatLayout(t.layout ?? RFC3339_NANO, t.wall);
    },
  },
]);
