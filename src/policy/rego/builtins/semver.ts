// Builtin family: semver (semver.is_valid, semver.compare).

import { compareSemVer, isValidSemVer, parseSemVer, type SemVer, SemVerError } from './lib/semver.js';
import { argString, BuiltinError, registerBuiltins } from './registry.js';

function operandVersion(s: string, i: number): SemVer {
  try {
    return parseSemVer(s);
  } catch (e) {
    if (e instanceof SemVerError) {
      throw new BuiltinError(`semver.compare: operand ${i + 1}: string ${JSON.stringify(s)} is not a valid SemVer`);
    }
    throw e;
  }
}

registerBuiltins('semver', [
  // OPA answers false for non-strings (never an error)
  { name: 'semver.is_valid', arity: 1, fn: ([v]) => typeof v === 'string' && isValidSemVer(v) },
  {
    name: 'semver.compare',
    arity: 2,
    fn: (a) => {
      // Both operand types are checked before either version is parsed (type errors come first).
      const [s1, s2] = [argString(a, 0, 'semver.compare'), argString(a, 1, 'semver.compare')];
      return compareSemVer(operandVersion(s1, 0), operandVersion(s2, 1));
    },
  },
]);
