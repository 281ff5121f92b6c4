/**
 * Issue 14's causes, one regression each. Every expectation is OPA's answer (verified with
 * `opa eval`); when opa is available the suite also asks it again, so a wrong expectation fails too.
 */
import { describe, expect, it } from 'vitest';
import { comparable, maestroOutcome, opaFlagsOf, type ParityCase } from './cases.js';
import { findOpa, opaEval } from './opa.js';

const v = (value: unknown) => ({ defined: true as const, value });
const err = (code: string) => ({ error: code, message: '' });
const undef = { defined: false as const };

const CASES: ParityCase[] = [
  {
    cause: 1,
    name: '`with` continued on the next line',
    rego: 'package t\na := x if {\n  x := input.a + input.b with input.a as 1\n    with input.b as 2\n}',
    query: 'data.t.a',
    want: v(3),
  },
];

const opa = findOpa();
if (!opa.bin) console.warn(`[issue14 parity] OPA cross-check skipped: ${opa.reason}`);

describe('issue 14 causes (answers of OPA 1.22.3)', () => {
  for (const c of CASES) {
    it(`cause ${c.cause}: ${c.name}`, () => {
      expect(comparable(maestroOutcome(c))).toEqual(comparable(c.want));
    });
  }
  it.skipIf(!opa.bin)('the real opa still gives every expected answer', () => {
    for (const c of CASES) {
      const got = opaEval({ 'p.rego': c.rego }, c.query, c.input, opaFlagsOf(c));
      expect(comparable(got), `cause ${c.cause}: ${c.name}`).toEqual(comparable(c.want));
    }
  }, 60_000);
});

export { err, undef };
