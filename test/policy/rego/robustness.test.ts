import { describe, expect, it } from 'vitest';
import { findConformanceRoot, loadCases } from '../../../src/policy/rego/conformance/cases.js';
import { compile, parseModule, RegoError } from '../../../src/policy/rego/index.js';

const root = findConformanceRoot(import.meta.dirname);
const modules = [...new Set(loadCases(root).flatMap((c) => c.modules))];

/** Seeded PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EDITS = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '"',
  '`',
  ':=',
  '=',
  '|',
  ',',
  ';',
  '\n',
  ' ',
  '.',
  '-',
  '0',
  'x',
  'if',
  'not',
  'some',
  'every',
  'in',
  '#',
  '\\',
  '\u0000',
  'é',
];

/** Parse and compile; only a located RegoError may come out. Returns the outcome kind. */
function check(text: string): 'ok' | 'error' {
  const started = Date.now();
  try {
    parseModule({ path: 'm.rego', text });
    try {
      compile([{ path: 'm.rego', text }]);
    } catch (e) {
      if (!(e instanceof RegoError)) throw e;
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof RegoError)) throw new Error(`non-Rego error for input ${JSON.stringify(text.slice(0, 200))}: ${String(e)}`);
    expect(e.location, `error without location: ${e.message}`).toBeDefined();
    expect(e.location!.row).toBeGreaterThan(0);
    expect(e.location!.col).toBeGreaterThan(0);
    return 'error';
  } finally {
    expect(Date.now() - started, 'parse took too long').toBeLessThan(2000);
  }
}

describe('parser robustness', () => {
  it('reports truncated modules as located errors', () => {
    const rand = prng(1);
    let errors = 0;
    for (let i = 0; i < 400; i++) {
      const m = modules[Math.floor(rand() * modules.length)]!;
      if (check(m.slice(0, Math.floor(rand() * m.length))) === 'error') errors++;
    }
    expect(errors).toBeGreaterThan(50);
  });

  it('survives random edits', () => {
    const rand = prng(2);
    for (let i = 0; i < 600; i++) {
      let m = modules[Math.floor(rand() * modules.length)]!;
      const n = 1 + Math.floor(rand() * 4);
      for (let j = 0; j < n; j++) {
        const at = Math.floor(rand() * (m.length + 1));
        const edit = EDITS[Math.floor(rand() * EDITS.length)]!;
        const del = Math.floor(rand() * 3);
        m = m.slice(0, at) + edit + m.slice(at + del);
      }
      check(m);
    }
  });

  it('rejects 10k-deep nesting with a located error instead of overflowing the stack', () => {
    for (const [open, close] of [
      ['[', ']'],
      ['(', ')'],
      ['{', '}'],
    ] as const) {
      const text = `package deep\nx := ${open.repeat(10_000)}1${close.repeat(10_000)}\n`;
      expect(check(text)).toBe('error');
    }
    expect(check(`package deep\nx := ${'-'.repeat(10_000)}1\n`)).toBe('error');
    expect(check(`package deep\nx := ${'1 + '.repeat(5000)}1\n`)).toMatch(/ok|error/);
  });
});
