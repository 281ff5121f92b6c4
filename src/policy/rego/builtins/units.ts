// Builtin family: units (units.parse, units.parse_bytes).

import { mkNumber, type Value } from '../value.js';
import { parseBytes, parseUnits, UnitsError } from './lib/units.js';
import { argString, BuiltinError, registerBuiltins } from './registry.js';

// Every unit error is an eval_builtin_error worded as OPA's ("units.parse: units.parse: ...").
function guard(name: string, f: () => number | bigint | undefined): Value | undefined {
  try {
    const n = f();
    return n === undefined ? undefined : mkNumber(n);
  } catch (e) {
    if (e instanceof UnitsError) throw new BuiltinError(`${name}: ${e.message}`, 'builtin');
    throw e;
  }
}

registerBuiltins('units', [
  { name: 'units.parse', arity: 1, fn: (a) => guard('units.parse', () => parseUnits(argString(a, 0, 'units.parse'))) },
  { name: 'units.parse_bytes', arity: 1, fn: (a) => guard('units.parse_bytes', () => parseBytes(argString(a, 0, 'units.parse_bytes'))) },
]);
