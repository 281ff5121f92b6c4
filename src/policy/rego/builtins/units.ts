// Builtin family: units (units.parse, units.parse_bytes).
import { argString, BuiltinError, registerBuiltins } from './registry.js';
import { mkNumber, type Value } from '../value.js';
import { parseBytes, parseUnits, UnitsError } from './lib/units.js';

// Malformed strings (spaces) are raised as input-shape errors even outside strict mode (as Regorus).
function guard(f: () => number | bigint | undefined): Value | undefined {
  try {
    const n = f();
    return n === undefined ? undefined : mkNumber(n);
  } catch (e) {
    if (e instanceof UnitsError) throw new BuiltinError(e.message, e.shape ? 'type' : 'builtin');
    throw e;
  }
}

registerBuiltins('units', [
  { name: 'units.parse', arity: 1, fn: (a) => guard(() => parseUnits(argString(a, 0, 'units.parse'))) },
  { name: 'units.parse_bytes', arity: 1, fn: (a) => guard(() => parseBytes(argString(a, 0, 'units.parse_bytes'))) },
]);
