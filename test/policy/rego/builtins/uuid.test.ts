import { describe, expect, test } from 'vitest';
import { call, callJson, testContext } from './call.js';

describe('uuid.rfc4122', () => {
  test('version-4 RFC 4122 uuids, one per key and evaluation', () => {
    const ctx = testContext();
    const a = call('uuid.rfc4122', ['a'], ctx) as string;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(call('uuid.rfc4122', ['a'], ctx)).toBe(a);
    expect(call('uuid.rfc4122', ['b'], ctx)).not.toBe(a);
    expect(call('uuid.rfc4122', ['a'], testContext(1n, 7))).not.toBe(a);
    expect(callJson('uuid.parse', [a])).toBe('{"variant":"RFC4122","version":4}');
  });
  test('type error', () => {
    expect(() => call('uuid.rfc4122', [42])).toThrow(/operand 1 must be string/);
  });
});

describe('uuid.parse', () => {
  test('version 1: time, clock sequence, node', () => {
    expect(callJson('uuid.parse', ['b01d0062-a116-11ee-822b-7ab0b9e5e0c0'])).toBe(
      '{"clocksequence":555,"macvariables":"local:unicast","nodeid":"7a-b0-b9-e5-e0-c0","time":1703282931110717000,"variant":"RFC4122","version":1}',
    );
    expect(callJson('uuid.parse', ['bdf46d2e-a116-11ee-8c90-0242ac120002'])).toContain('"clocksequence":3216');
  });
  test('version 2: domain and id', () => {
    expect(callJson('uuid.parse', ['000003e8-a129-21ee-ae00-325096b39f47'])).toBe(
      '{"clocksequence":11776,"domain":"Person","id":1000,"macvariables":"local:unicast","nodeid":"32-50-96-b3-9f-47","time":1703290796079613600,"variant":"RFC4122","version":2}',
    );
  });
  test('versions 3 to 8', () => {
    expect(callJson('uuid.parse', ['c6db027c-615c-3b4d-959e-1a917747ca5a'])).toBe('{"variant":"RFC4122","version":3}');
    // OPA 1.22.3 decodes the timestamp of versions 1 and 2 only
    expect(callJson('uuid.parse', ['1EC9414C-232A-6B00-B3C8-9E6BDECED846'])).toBe('{"variant":"RFC4122","version":6}');
    expect(callJson('uuid.parse', ['017F22E2-79B0-7CC3-98C4-DC0C0C07398F'])).toBe('{"variant":"RFC4122","version":7}');
    expect(callJson('uuid.parse', ['017F22E2-79B0-7CC3-D8C4-DC0C0C07398F'])).toBe('{"variant":"Microsoft","version":7}');
    // a zero version-1 timestamp wraps in int64 as in OPA
    expect(callJson('uuid.parse', ['00000000-0000-1000-8000-000000000000'])).toContain('"time":6227451273709551616');
    expect(callJson('uuid.parse', ['320C3D4D-CC00-875B-8EC9-32D5F69181C0'])).toBe('{"variant":"RFC4122","version":8}');
  });
  test('accepted spellings and variants', () => {
    expect(callJson('uuid.parse', ['{a6342df8-7801-469c-b3f3-c5317a0ebdaa}'])).toBe('{"variant":"RFC4122","version":4}');
    expect(callJson('uuid.parse', ['urn:uuid:a6342df8-7801-469c-b3f3-c5317a0ebdaa'])).toBe('{"variant":"RFC4122","version":4}');
    expect(callJson('uuid.parse', ['a6342df87801469cb3f3c5317a0ebdaa'])).toBe('{"variant":"RFC4122","version":4}');
    expect(callJson('uuid.parse', ['a6342df8-7801-469c-c3f3-c5317a0ebdaa'])).toBe('{"variant":"Microsoft","version":4}');
  });
  test('not a uuid: undefined; not a string: type error', () => {
    expect(call('uuid.parse', ['not-valid'])).toBeUndefined();
    expect(call('uuid.parse', ['a6342df8x7801-469c-b3f3-c5317a0ebdaa'])).toBeUndefined();
    expect(() => call('uuid.parse', [42])).toThrow(/operand 1 must be string/);
  });
});

test('through the engine: one uuid per key and evaluation', async () => {
  const { compile, evaluateRaw, formatJson } = await import('../../../../src/policy/rego/index.js');
  const policy = compile([
    {
      path: 'p.rego',
      text: `package p
import rego.v1
same if uuid.rfc4122("k") == uuid.rfc4122("k")
differ if uuid.rfc4122("k") != uuid.rfc4122("j")
version := uuid.parse(uuid.rfc4122("k")).version
`,
    },
  ]);
  const out = formatJson(evaluateRaw(policy, 'data.p').raw[0]!.expressions[0]!);
  expect(out).toBe('{"differ":true,"same":true,"version":4}');
});
