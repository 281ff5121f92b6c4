import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggest } from '../../src/manifest/suggest.js';

describe('editDistance', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('biuld', 'build')).toBe(1);
    expect(editDistance('build', 'build')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('suggest', () => {
  it('finds close names and known aliases', () => {
    expect(suggest('biuld', ['test', 'build'])).toBe('build');
    expect(suggest('timeout', ['cpu', 'memoryMB', 'timeoutSec'])).toBe('timeoutSec');
    expect(suggest('memory', ['cpu', 'memoryMB'])).toBe('memoryMB');
    expect(suggest('depends_on', ['id', 'needs', 'run'])).toBe('needs');
    expect(suggest('memorymb', ['memoryMB'])).toBe('memoryMB');
  });

  it('stays quiet when nothing is close', () => {
    expect(suggest('release', ['build', 'test'])).toBeUndefined();
    expect(suggest('x', ['y'])).toBeUndefined();
    expect(didYouMean('zzz', ['build'])).toBe('');
    expect(didYouMean('tset', ['test'])).toBe(' (did you mean "test"?)');
  });
});
