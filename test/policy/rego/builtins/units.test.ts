import { describe, expect, test } from 'vitest';
import { call, callJson } from './call.js';

describe('units.parse', () => {
  test.each([
    ['1K', '1000'],
    ['1k', '1000'],
    ['1M', '1000000'],
    ['1m', '0.001'],
    ['1G', '1000000000'],
    ['1e', '1000000000000000000'],
    ['1Ki', '1024'],
    ['1KI', '1024'],
    ['1mi', '1048576'],
    ['1Gi', '1073741824'],
    ['1Ei', '1152921504606846976'],
    ['1.5Gi', '1610612736'],
    ['250m', '0.25'],
    ['1e3', '1000'],
    ['1e3m', '1'],
    ['.5k', '500'],
    ['"10"', '10'],
    ['1PI', '1125899906842624'],
    ['99999999999999999999E', '99999999999999999999000000000000000000'],
  ])('%s → %s', (s, want) => {
    expect(callJson('units.parse', [s])).toBe(want);
  });
  test('results beyond 2^53 stay exact', () => {
    expect(typeof call('units.parse', ['1Ei'])).toBe('bigint');
    expect(typeof call('units.parse', ['99999999999999999999E'])).toBe('bigint');
  });
  test('errors', () => {
    // OPA 1.22.3's wording; SI prefixes outside OPA's table (Regorus accepts them) are refused
    expect(() => call('units.parse', ['1mb'])).toThrow('units.parse: units.parse: unit mb not recognized');
    expect(() => call('units.parse', ['1Q'])).toThrow('units.parse: units.parse: unit Q not recognized');
    expect(() => call('units.parse', ['1n'])).toThrow('units.parse: units.parse: unit n not recognized');
    expect(() => call('units.parse', ['1Yi'])).toThrow('units.parse: units.parse: unit Yi not recognized');
    expect(() => call('units.parse', ['1 m'])).toThrow('units.parse: units.parse: spaces not allowed in resource strings');
    expect(() => call('units.parse', ['Ki'])).toThrow('units.parse: units.parse: no amount provided');
    expect(() => call('units.parse', ['1.2.3k'])).toThrow('units.parse: units.parse: could not parse amount to a number');
    expect(() => call('units.parse', [['1']])).toThrow(/operand 1 must be string/);
  });
});

describe('units.parse_bytes', () => {
  test.each([
    ['1', '1'],
    ['1KB', '1000'],
    ['1kb', '1000'],
    ['1k', '1000'],
    ['1KiB', '1024'],
    ['1ki', '1024'],
    ['1Mi', '1048576'],
    ['1mb', '1000000'],
    ['1.5KiB', '1536'],
    ['3.7', '3'],
    ['1EIB', '1152921504606846976'],
  ])('%s → %s', (s, want) => {
    expect(callJson('units.parse_bytes', [s])).toBe(want);
  });
  test('errors', () => {
    expect(() => call('units.parse_bytes', ['1 kb'])).toThrow('units.parse_bytes: spaces not allowed in resource strings');
    expect(() => call('units.parse_bytes', ['1xb'])).toThrow('units.parse_bytes: units.parse_bytes: byte unit xb not recognized');
    expect(() => call('units.parse_bytes', ['1yib'])).toThrow('byte unit yib not recognized');
    expect(() => call('units.parse_bytes', ['1b'])).toThrow('byte unit b not recognized');
    expect(() => call('units.parse_bytes', ['kb'])).toThrow('units.parse_bytes: no byte amount provided');
  });
});
