/** Line splitting in batches, with the per-line bound. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forEachLines } from '../../src/runner/lines.js';

describe('forEachLines', () => {
  it('hands over all complete lines of one read as one batch, keeps partial lines across reads, strips CR', async () => {
    const s = new PassThrough();
    const batches: string[][] = [];
    const done = forEachLines(s, (ls) => void batches.push(ls));
    s.write('a\nb\r\nc');
    s.write('d\ne\n');
    s.end('tail');
    await done;
    expect(batches).toEqual([['a', 'b'], ['cd', 'e'], ['tail']]);
  });
  it('cuts a line longer than the bound into bound-sized pieces (never holds more)', async () => {
    const s = new PassThrough();
    const got: string[] = [];
    const done = forEachLines(s, (ls) => void got.push(...ls), 8);
    s.write('x'.repeat(20));
    s.end('\n');
    await done;
    expect(got).toEqual(['xxxxxxxx', 'xxxxxxxx', 'xxxx']);
  });
  it('pauses the stream while a returned promise is pending (backpressure)', async () => {
    const s = new PassThrough();
    const order: string[] = [];
    let release!: () => void;
    const done = forEachLines(s, (ls) => {
      order.push(...ls);
      if (ls[0] === 'first') return new Promise<void>((r) => (release = r));
    });
    s.write('first\n');
    await new Promise((r) => setTimeout(r, 20));
    expect(s.isPaused()).toBe(true);
    s.end('second\n');
    release();
    await done;
    expect(order).toEqual(['first', 'second']);
  });
});
