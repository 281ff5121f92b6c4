import { describe, expect, test } from 'vitest';
import { call, callJson, testContext } from './call.js';

const NS = 1_703_444_325_734_390_000n; // 2023-12-24T18:58:45.73439Z, a Sunday

describe('time.parse_*', () => {
  test('RFC 3339 with fraction and offsets', () => {
    expect(callJson('time.parse_rfc3339_ns', ['1985-04-12T23:20:50.52Z'])).toBe('482196050520000000');
    expect(callJson('time.parse_rfc3339_ns', ['1996-12-19T16:39:57-08:00'])).toBe('851042397000000000');
    expect(() => call('time.parse_rfc3339_ns', ['1996-12-19'])).toThrow(/cannot parse "" as "T"/);
  });
  test('Go layouts', () => {
    expect(callJson('time.parse_ns', ['2006-01-02T15:04:05', '2016-05-10T19:06:42'])).toBe('1462907202000000000');
    expect(callJson('time.parse_ns', ['2006-01-02 15:04:05', '2015-09-05 23:56:04'])).toBe('1441497364000000000');
    expect(callJson('time.parse_ns', ['Jan _2 2006 3:04PM MST', 'Feb  3 2013 7:54PM UTC'])).toBe('1359921240000000000');
    expect(callJson('time.parse_ns', ['02 Jan 06 15:04 -0700', '10 Nov 09 23:00 +0100'])).toBe('1257890400000000000');
    expect(() => call('time.parse_ns', ['2006-01-02', '2023-02-30'])).toThrow(/day out of range/);
    expect(() => call('time.parse_ns', ['2006-01-02', '2023-13-01'])).toThrow(/month out of range/);
    expect(() => call('time.parse_ns', ['2006-01-02', '2023-01-01 extra'])).toThrow(/extra text/);
  });
  test('format then parse round-trips nanoseconds', () => {
    const s = call('time.format', [[NS, 'UTC', '2006-01-02T15:04:05.999999999']]);
    expect(s).toBe('2023-12-24T18:58:45.73439');
    expect(callJson('time.parse_ns', ['2006-01-02T15:04:05.999999999', s])).toBe(NS.toString());
  });
  test('durations', () => {
    expect(callJson('time.parse_duration_ns', ['1h6m13.3s20ms15µs1ns'])).toBe('3973320015001');
    expect(callJson('time.parse_duration_ns', ['1.2h20.2ms15µs56ns'])).toBe('4320020215056');
    expect(callJson('time.parse_duration_ns', ['15.000001ms'])).toBe('15000001');
    expect(callJson('time.parse_duration_ns', ['-1.5h'])).toBe('-5400000000000');
    expect(callJson('time.parse_duration_ns', ['0'])).toBe('0');
    expect(() => call('time.parse_duration_ns', ['1'])).toThrow('time: missing unit in duration "1"');
    expect(() => call('time.parse_duration_ns', ['1d'])).toThrow('time: unknown unit "d" in duration "1d"');
    expect(() => call('time.parse_duration_ns', ['3000000h'])).toThrow('time: invalid duration "3000000h"');
    expect(() => call('time.parse_duration_ns', [100])).toThrow(/operand 1 must be string/);
  });
});

describe('time.date / clock / weekday / format', () => {
  test('UTC by default, zones by IANA name', () => {
    expect(callJson('time.date', [NS])).toBe('[2023,12,24]');
    expect(callJson('time.clock', [NS])).toBe('[18,58,45]');
    expect(callJson('time.clock', [[NS, 'CET']])).toBe('[19,58,45]');
    expect(callJson('time.clock', [[NS, 'Asia/Kolkata']])).toBe('[0,28,45]');
    expect(callJson('time.date', [[NS, 'Asia/Tokyo']])).toBe('[2023,12,25]');
    expect(call('time.weekday', [NS])).toBe('Sunday');
    expect(call('time.weekday', [1_257_894_000_000_000_000n])).toBe('Tuesday');
    expect(callJson('time.clock', [[NS, 'Local']])).toBe('[18,58,45]'); // Local is UTC (determinism)
  });
  test('negative instants and leap days', () => {
    expect(callJson('time.date', [-1])).toBe('[1969,12,31]');
    expect(callJson('time.clock', [-1])).toBe('[23,59,59]');
    expect(callJson('time.date', [call('time.parse_ns', ['2006-01-02', '2024-02-29'])])).toBe('[2024,2,29]');
  });
  test('format: RFC3339Nano by default, named and custom layouts', () => {
    expect(call('time.format', [NS])).toBe('2023-12-24T18:58:45.73439Z');
    expect(call('time.format', [1_257_894_000_000_000_000n])).toBe('2009-11-10T23:00:00Z');
    expect(call('time.format', [[1_257_894_000_000_000_000n, '', '02/01/2006 15:04']])).toBe('10/11/2009 23:00');
    expect(call('time.format', [[NS, 'America/New_York', 'RFC1123Z']])).toBe('Sun, 24 Dec 2023 13:58:45 -0500');
    expect(call('time.format', [[NS, 'America/New_York', 'Mon Jan _2 3:04:05.000 PM MST Z07:00']])).toBe('Sun Dec 24 1:58:45.734 PM EST -05:00');
    expect(call('time.format', [[NS, 'UTC', 'Kitchen']])).toBe('6:58PM');
    expect(call('time.format', [[NS, 'Europe/Paris', 'MST -07:00']])).toBe('CET +01:00');
    expect(call('time.format', [[1_688_169_600_000_000_000n, 'Europe/London', 'MST']])).toBe('BST');
    expect(call('time.format', [[NS, 'Asia/Kolkata', 'MST Z0700']])).toBe('IST +0530');
    expect(call('time.format', [[NS, 'America/Sao_Paulo', 'MST']])).toBe('-03'); // no abbreviation: Go's numeric form
    expect(() => call('time.format', [[NS, 'UTC', 42]])).toThrow(/3rd element of operand 1 must be string/);
    expect(() => call('time.format', [[NS, 'Mars/Olympus']])).toThrow('unknown time zone Mars/Olympus');
  });
  test('type errors name the builtin', () => {
    expect(() => call('time.date', ['1703444325734390000'])).toThrow(/time.date: operand 1 must be either number/);
    expect(() => call('time.date', [1.5])).toThrow('timestamp too big');
  });
});

describe('time.add_date and time.diff', () => {
  test('calendar arithmetic normalises like Go', () => {
    expect(callJson('time.add_date', [NS, 1, 0, 0])).toBe('1735066725734390000');
    expect(callJson('time.add_date', [NS, -60, 0, 0])).toBe('-190011674265610000');
    expect(callJson('time.add_date', [NS, 0, 15, 0])).toBe('1742842725734390000');
    expect(callJson('time.add_date', [NS, 0, 0, -37])).toBe('1700247525734390000');
    expect(callJson('time.add_date', [NS, 10, 14, 75])).toBe('2062436325734390000');
    expect(callJson('time.add_date', [NS, -213, 6, -5])).toBe('-5002923674265610000');
    const jan31 = call('time.parse_ns', ['2006-01-02', '2023-01-31']);
    expect(call('time.format', [[call('time.add_date', [jan31, 0, 1, 0]), 'UTC', '2006-01-02']])).toBe('2023-03-03');
  });
  test('adding days keeps the wall clock across a DST change in the given zone', () => {
    const noonEst = call('time.parse_rfc3339_ns', ['2023-03-11T12:00:00-05:00']);
    const next = call('time.add_date', [[noonEst, 'America/New_York'], 0, 0, 1]);
    expect(call('time.format', [[next, 'America/New_York', 'RFC3339']])).toBe('2023-03-12T12:00:00-04:00');
    expect(call('time.format', [next])).toBe('2023-03-12T16:00:00Z');
  });
  test('results outside int64 nanoseconds are a builtin error (OPA 1.22.3; undefined unless strict)', () => {
    expect(() => call('time.add_date', [NS, 2147483647, 0, 0])).toThrow(/time outside of valid range/);
    expect(() => call('time.add_date', [NS, -2147483647, 0, 0])).toThrow(/time outside of valid range/);
    expect(() => call('time.add_date', [NS, 300, 0, 0])).toThrow(/time outside of valid range/);
    expect(callJson('time.add_date', [NS, 238, 0, 0])).toBe('9214023525734390000'); // 2261-12-24, the last year int64 ns reach;
  });
  test('diff is symmetric, month-aware', () => {
    expect(callJson('time.diff', [NS, 1_257_894_000_000_000_000n])).toBe('[14,1,13,19,58,45]');
    expect(callJson('time.diff', [1_257_894_000_000_000_000n, NS])).toBe('[14,1,13,19,58,45]');
    const a = call('time.parse_ns', ['2006-01-02', '2020-02-02']);
    const b = call('time.parse_ns', ['2006-01-02', '2020-03-01']);
    expect(callJson('time.diff', [a, b])).toBe('[0,0,28,0,0,0]');
  });
});

test('time.now_ns is the evaluation clock', () => {
  const ctx = testContext(1_800_000_000_123_456_789n);
  expect(callJson('time.now_ns', [], ctx)).toBe('1800000000123456789');
});

describe('through the engine', () => {
  test('now_ns is one value per evaluation, from the evaluation clock; results stay exact', async () => {
    const { compile, evaluateRaw, formatJson } = await import('../../../../src/policy/rego/index.js');
    const policy = compile([
      {
        path: 'p.rego',
        text: `package p
import rego.v1
a := time.now_ns()
b := time.now_ns()
same if a == b
next_year := time.add_date(a, 1, 0, 0)
label := time.format([a, "Europe/Paris", "2006-01-02 15:04 MST"])
`,
      },
    ]);
    const { raw } = evaluateRaw(policy, 'data.p', { nowNs: 1_703_444_325_734_390_123n });
    expect(formatJson(raw[0]!.expressions[0]!)).toBe(
      '{"a":1703444325734390123,"b":1703444325734390123,"label":"2023-12-24 19:58 CET","next_year":1735066725734390123,"same":true}',
    );
  });
});
