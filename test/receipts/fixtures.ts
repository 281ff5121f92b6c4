/** Test helper: realistic execution directories in the layout the runner writes (common brief). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Context, createContext } from '../../src/core/context.js';
import type { ExecutionRecordLike } from '../../src/receipts/index.js';

export interface FixtureTask {
  id: string;
  lines?: number;
  outputs?: Record<string, string | Buffer>;
}

export interface Fixture {
  home: string;
  ctx: Context;
  dir: string;
  record: ExecutionRecordLike;
}

/** A fixed context: clock and randomness are deterministic, home is a fresh temp dir. */
export function fixtureContext(home = mkdtempSync(join(tmpdir(), 'mh-'))): Context {
  let n = 0;
  return createContext({
    home,
    env: { MAESTRO_HOME: home },
    clock: { now: () => Date.parse('2026-11-23T10:00:00.000Z') },
    random: { uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, bytes: (k) => Buffer.alloc(k, 7) },
  });
}

/** Write an execution directory under <home>/executions/<id>/ and return its parsed record. */
export function makeExecution(ctx: Context, options: { id?: string; tasks?: FixtureTask[]; decisions?: unknown } = {}): Fixture {
  const id = options.id ?? 'ex_01jf8z6v3k9q2w7e5r4t1y0u8i';
  const dir = join(ctx.home, 'executions', id);
  const tasks = options.tasks ?? [
    { id: 'build', lines: 20, outputs: { 'app.bin': Buffer.from([0, 1, 2, 3, 255]), 'report/summary.txt': 'all good\n' } },
    { id: 'test', lines: 5, outputs: { 'junit.xml': '<testsuite tests="3"/>\n' } },
  ];
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'manifest.yaml'), 'version: 1\nname: demo\ntasks:\n  build: {run: make}\n  test: {run: make test, needs: [build]}\n');
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ estimatedCostMicros: 120000, tasks: tasks.map((t) => ({ id: t.id, micros: 60000 })) }, null, 2));
  writeFileSync(
    join(dir, 'decisions.json'),
    JSON.stringify(
      options.decisions ?? {
        packs: [{ name: 'budget', version: '1.0.0', digest: `sha256:${'ab'.repeat(32)}` }],
        decisions: [{ pack: 'budget', allow: true, reasons: [] }],
      },
    ),
  );
  const taskRecords = tasks.map((t, i) => {
    const log = Array.from({ length: t.lines ?? 3 }, (_, k) =>
      JSON.stringify({ ts: `2026-11-23T10:00:${String(k % 60).padStart(2, '0')}.000Z`, stream: k % 3 === 2 ? 'stderr' : 'stdout', line: `${t.id} line ${k}` }),
    ).join('\n');
    writeFileSync(join(dir, 'logs', `${t.id}.ndjson`), `${log}\n`);
    const writes = Object.entries(t.outputs ?? {}).map(([p, content]) => {
      const abs = join(dir, 'out', t.id, p);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, content);
      return { path: `/out/${p}`, size: Buffer.byteLength(content) };
    });
    return {
      id: t.id,
      status: 'succeeded',
      exitCode: 0,
      startedAt: `2026-11-23T10:0${i}:00.000Z`,
      finishedAt: `2026-11-23T10:0${i}:30.000Z`,
      usage: { cpuSec: 1.5, peakRssMB: 42, wallSec: 30, bytesWritten: 100 },
      writes,
    };
  });
  const record: ExecutionRecordLike = {
    id,
    tenant: { id: 't_default', name: 'default' },
    subject: 'alice@local',
    workflow: 'demo',
    status: 'succeeded',
    parameters: { env: 'staging' },
    createdAt: '2026-11-23T09:59:59.000Z',
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: '2026-11-23T10:02:00.000Z',
    tasks: taskRecords,
    sandbox: { profile: 'default', network: false, readOnlyRoot: true },
    cost: { estimateMicros: 120000, actualMicros: 110000 },
  };
  writeFileSync(join(dir, 'execution.json'), `${JSON.stringify(record, null, 2)}\n`);
  return { home: ctx.home, ctx, dir, record };
}
