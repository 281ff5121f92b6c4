/** A failed task shows the last 20 lines of its output: `failure.tail` in JSON, a block in human output, a JUnit failure body. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maestro, tempHome } from '../helpers/cli.js';

describe('failure diagnostics', () => {
  const { home, cleanup } = tempHome();
  let manifest: string;
  beforeAll(() => {
    const dir = join(home, '..', 'wf');
    mkdirSync(join(dir, 'ws'), { recursive: true });
    manifest = join(dir, 'fail.yaml');
    // 29 lines on stdout, then (after they are read) one on stderr, then exit 7.
    writeFileSync(
      manifest,
      [
        'apiVersion: maestro/v1',
        'kind: Workflow',
        'metadata: { name: failing }',
        'spec:',
        '  region: US',
        '  resourceClass: small',
        '  tasks:',
        '    - id: ok',
        '      uses: shell',
        '      run: echo fine',
        '    - id: boom',
        '      uses: shell',
        '      needs: [ok]',
        '      run: \'for i in $(seq 1 29); do echo "line $i"; done; sleep 0.3; echo "err 30" >&2; exit 7\'',
        '',
      ].join('\n'),
    );
    expect(maestro(home, ['tenants', 'set', 'default', '--no-require-sandbox']).code).toBe(0);
  });
  afterAll(cleanup);

  it('run --json: failure.tail holds the last 20 lines, in order, stderr marked', () => {
    const r = maestro(home, ['run', manifest, '--sandbox', 'none', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const v = r.json();
    expect(v.failure.task).toBe('boom');
    expect(v.failure.exitCode).toBe(7);
    expect(v.failure.tail).toHaveLength(20);
    expect(v.failure.tail[0]).toBe('line 11');
    expect(v.failure.tail[19]).toBe('! err 30');
    expect(v.failure.tail[18]).toBe('line 29');
    const boom = v.tasks.find((t: { id: unknown }) => t.id === 'boom');
    expect(boom.failure.tail).toEqual(v.failure.tail);
    expect(v.tasks.find((t: { id: unknown }) => t.id === 'ok').failure).toBeUndefined();
  });

  it('run (human): the tail is printed under the task table', () => {
    const r = maestro(home, ['run', manifest, '--sandbox', 'none']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/boom failed; last 20 lines of its output:/);
    expect(r.stdout).toMatch(/\| line 11\n/);
    expect(r.stdout).not.toMatch(/\| line 9\n/);
    expect(r.stdout).toMatch(/\| ! err 30/);
  });

  it('run --format junit: the failed task is a <failure> whose body is the tail', () => {
    const r = maestro(home, ['run', manifest, '--sandbox', 'none', '--format', 'junit']);
    expect(r.code).toBe(1);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase' }).parse(r.stdout);
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases.map((c: { name: unknown }) => c.name)).toEqual(['ok', 'boom']);
    expect(cases[0].failure).toBeUndefined();
    expect(cases[1].failure.message).toBe('exited with status 7');
    expect(cases[1].failure['#text']).toContain('! err 30');
  });
});

describe('readTail bounds', () => {
  it('reads at most 64 KiB from the end of a large log and cuts long lines', async () => {
    const { readTail, FAILURE_LINE_CHARS } = await import('../../src/runner/failure.js');
    const { home, cleanup } = tempHome();
    try {
      mkdirSync(join(home, 'logs'), { recursive: true });
      const recs: string[] = [];
      for (let i = 0; i < 50_000; i++) recs.push(JSON.stringify({ ts: 't', stream: 'stdout', line: `n ${i}` }));
      recs.push(JSON.stringify({ ts: 't', stream: 'stderr', line: 'x'.repeat(10_000) }));
      writeFileSync(join(home, 'logs', 'big.ndjson'), `${recs.join('\n')}\n`);
      const tail = readTail(home, 'big');
      expect(tail).toHaveLength(20);
      expect(tail[0]).toBe('n 49981');
      expect(tail[19]).toBe(`! ${'x'.repeat(FAILURE_LINE_CHARS)}…`);
      expect(readTail(home, 'missing')).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
