/**
 * The V8 code cache loader (ADR 0033): a miss writes the cache, the next load uses it, a corrupt or
 * foreign file is never used, imports of packages work from cached code, and the cache directory
 * keeps one file per name.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDirs } from '../../src/cli/code-cache.js';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'maestro-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loader = pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'code-cache.js')).href;

/**
 * Loads `file` through loadCached in a fresh Node process (a code cache only shows across processes)
 * and returns the cache status and what the module's `run()` resolved to.
 */
function load(file: string, cache: string, name = 'cmd'): { status: string; value: unknown; cacheFile: string } {
  const script = `
    const { loadCached } = await import(${JSON.stringify(loader)});
    const m = loadCached(${JSON.stringify(file)}, { name: ${JSON.stringify(name)}, dirs: [${JSON.stringify(cache)}] });
    const value = await m.exports.run();
    m.save();
    process.stdout.write(JSON.stringify({ status: m.status, value, cacheFile: m.cacheFile }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

function bundle(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

function work(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (i % 7) * (i % 3);
  return s;
}

describe('code cache', () => {
  // Enough code that V8 has functions to cache; the async import goes through __mcImport.
  const source = `"use strict";
const fns = [];
for (let i = 0; i < 50; i++) fns.push(new Function('x', 'return x * ' + i));
function work(n) { let s = 0; for (let i = 0; i < n; i++) s += (i % 7) * (i % 3); return s; }
exports.run = async () => {
  const { basename } = await __mcImport('node:path');
  const { join } = require('node:path');
  return [work(1000), basename(join('a', 'b.txt')), typeof module.exports.run, __filename.endsWith('.cjs')];
};`;

  it('a miss writes the cache; the next process uses it and still imports packages', () => {
    const cache = join(dir, 'c1');
    const file = bundle('one.cjs', source);
    const first = load(file, cache);
    expect(first.status).toBe('miss');
    expect(first.value).toEqual([work(1000), 'b.txt', 'function', true]);
    expect(readdirSync(cache)).toHaveLength(1);
    const second = load(file, cache);
    expect(second.status).toBe('hit');
    expect(second.value).toEqual(first.value);
    expect(second.cacheFile).toBe(first.cacheFile);
  });

  it('a changed bundle, a corrupt file or a file under a foreign key is not used', () => {
    const cache = join(dir, 'c2');
    const file = bundle('two.cjs', source);
    const first = load(file, cache);
    const data = readFileSync(first.cacheFile);
    // One flipped byte: the digest no longer matches, so it counts as missing and is rewritten.
    const bad = Buffer.from(data);
    bad[bad.length - 10] = (bad[bad.length - 10]! + 1) % 256;
    writeFileSync(first.cacheFile, bad);
    expect(load(file, cache).status).toBe('miss');
    expect(load(file, cache).status).toBe('hit');
    // Truncated.
    writeFileSync(first.cacheFile, data.subarray(0, 20));
    expect(load(file, cache).status).toBe('miss');
    // The bundle changes: its hash changes the file name, the old cache is dropped on save.
    writeFileSync(file, `${source}\nexports.more = 1;\n`);
    const changed = load(file, cache);
    expect(changed.status).toBe('miss');
    expect(changed.cacheFile).not.toBe(first.cacheFile);
    expect(readdirSync(cache)).toEqual([changed.cacheFile.split('/').pop()]);
  });

  it('the cache directory stays bounded: one file per name, stale temporary files removed', () => {
    const cache = join(dir, 'c3');
    mkdirSync(cache, { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(cache, `cmd-${i.toString(16).padStart(16, '0')}.v8`), 'old');
    const stale = join(cache, `cmd-${'f'.repeat(16)}.v8.tmp-1`);
    writeFileSync(stale, 'partial');
    utimesSync(stale, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const fresh = join(cache, `cmd-${'e'.repeat(16)}.v8.tmp-2`);
    writeFileSync(fresh, 'being written');
    writeFileSync(join(cache, 'other-0000000000000000.v8'), 'another name');
    const r = load(bundle('three.cjs', source), cache);
    expect(r.status).toBe('miss');
    expect(readdirSync(cache).sort()).toEqual([r.cacheFile.split('/').pop(), fresh.split('/').pop(), 'other-0000000000000000.v8'].sort());
  });

  it('an unwritable first directory falls back to the next', () => {
    const file = bundle('four.cjs', source);
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'a file, not a directory');
    const script = `
      const { loadCached } = await import(${JSON.stringify(loader)});
      const m = loadCached(${JSON.stringify(file)}, { name: 'cmd', dirs: [${JSON.stringify(join(blocked, 'cache'))}, ${JSON.stringify(join(dir, 'c4'))}] });
      await m.exports.run(); m.save(); process.stdout.write(m.cacheFile);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith(join(dir, 'c4'))).toBe(true);
  });

  it('lives beside the bundle, else under XDG_CACHE_HOME or ~/.cache', () => {
    expect(cacheDirs('/opt/m/dist/bundle/fast.cjs', { XDG_CACHE_HOME: '/x/cache' })).toEqual(['/opt/m/dist/bundle/cache', '/x/cache/maestro-conductor']);
    expect(cacheDirs('/opt/m/dist/bundle/fast.cjs', { XDG_CACHE_HOME: 'relative' })[1]).toMatch(/\/\.cache\/maestro-conductor$/);
  });
});
