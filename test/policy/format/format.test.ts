// policy fmt on small cases, expected outputs taken from `opa fmt` v1.22.3 (so these run without OPA).
import { describe, expect, it } from 'vitest';
import { formatRego } from '../../../src/policy/format/index.js';
import { RegoError } from '../../../src/policy/rego/index.js';
import { cases } from './cases.js';

describe('formatRego (expected outputs from opa fmt)', () => {
  for (const [what, input, want] of cases) {
    it(what, () => {
      expect(formatRego(input, 'a.rego')).toBe(want);
      expect(formatRego(want, 'a.rego')).toBe(want);
    });
  }

  it('a parse error names file:line:col', () => {
    expect(() => formatRego('package a\nb := {\n', 'bad.rego')).toThrow(RegoError);
    expect(() => formatRego('package a\nb := {\n', 'bad.rego')).toThrow(/bad\.rego:\d+:\d+/);
  });
});
