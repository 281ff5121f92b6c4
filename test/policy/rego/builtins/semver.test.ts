import { describe, expect, test } from 'vitest';
import { call } from './call.js';

describe('semver.is_valid', () => {
  test.each([
    ['1.9.10', true],
    ['1.1.12-rc1+foo', true],
    ['1.0.0-alpha.1', true],
    ['1.1', false],
    ['v1.0.0', true], // OPA 1.x accepts a leading v (verified with opa eval 1.22.3)
    ['1.2.3.4', false],
    ['1.2.3-a..b', false],
    ['1.2.3+', false], // empty build metadata is rejected by OPA 1.x (verified with opa eval 1.22.3)
    ['99999999999999999999.0.0', false],
  ])('%s → %s', (v, want) => {
    expect(call('semver.is_valid', [v])).toBe(want);
  });
  test('non-strings are not valid versions (false, never an error, as OPA 1.22.3 answers)', () => {
    expect(call('semver.is_valid', [1])).toBe(false);
    expect(call('semver.is_valid', [null])).toBe(false);
  });
});

describe('semver.compare', () => {
  test('precedence of the SemVer 2.0.0 spec example chain', () => {
    const chain = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    for (let i = 0; i + 1 < chain.length; i++) {
      expect(call('semver.compare', [chain[i], chain[i + 1]])).toBe(-1);
      expect(call('semver.compare', [chain[i + 1], chain[i]])).toBe(1);
    }
  });
  test('core versions compare numerically; build metadata is ignored', () => {
    expect(call('semver.compare', ['1.9.10', '1.8.15'])).toBe(1);
    expect(call('semver.compare', ['1.10.0', '1.9.0'])).toBe(1);
    expect(call('semver.compare', ['2.0.0+build.1', '2.0.0+build.2'])).toBe(0);
    expect(call('semver.compare', ['1.8.15', '1.8.15'])).toBe(0);
  });
  test('invalid versions and types are errors', () => {
    expect(() => call('semver.compare', ['1.1', '1.0.0'])).toThrow('semver.compare: operand 1: string "1.1" is not a valid SemVer');
    expect(() => call('semver.compare', ['1.0.0', 'x'])).toThrow(/operand 2: string "x"/);
    expect(() => call('semver.compare', ['', 1])).toThrow(/operand 2 must be string/);
  });
});
