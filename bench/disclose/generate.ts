/** Generate a large execution directory (logs + outputs) in the runner's layout, streaming to disk. */
import { randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MB = 1024 * 1024;

async function writeStreamed(path: string, bytes: number, fill: (buf: Buffer) => void): Promise<void> {
  const out = createWriteStream(path);
  const chunk = Buffer.alloc(4 * MB);
  for (let done = 0; done < bytes; ) {
    const n = Math.min(chunk.length, bytes - done);
    fill(chunk);
    // A copy: the chunk buffer is refilled while the stream may still hold the previous write.
    if (!out.write(Buffer.from(chunk.subarray(0, n)))) await once(out, 'drain');
    done += n;
  }
  out.end();
  await once(out, 'finish');
}

// NDJSON log lines like the runner's: {"ts", "stream", "line"}, varied enough to compress like real logs.
function logFiller(task: string, seed: number): (buf: Buffer) => void {
  let k = seed;
  let carry = '';
  return (buf) => {
    let s = carry;
    while (s.length < buf.length) {
      k++;
      const ts = new Date(Date.UTC(2026, 10, 23, 10) + k * 37).toISOString();
      s += `{"ts":"${ts}","stream":"${k % 7 === 0 ? 'stderr' : 'stdout'}","line":"${task} step ${k} processed batch ${(k * 2654435761) % 1000003} in ${(k % 997) / 10}ms status=ok"}\n`;
    }
    buf.write(s.slice(0, buf.length), 'latin1');
    carry = s.slice(buf.length);
  };
}

/** Write a ~`totalMB` execution: 60% logs over 4 tasks, 40% outputs (half random binary, half text). */
export async function generateExecution(home: string, id: string, totalMB: number, seed: number): Promise<{ dir: string; bytes: number }> {
  const dir = join(home, 'executions', id);
  const tasks = ['extract', 'transform', 'train', 'report'];
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'manifest.yaml'), `version: 1\nname: bench\ntasks:\n${tasks.map((t) => `  ${t}: {run: ./${t}.sh}`).join('\n')}\n`);
  writeFileSync(join(dir, 'plan.json'), JSON.stringify({ estimatedCostMicros: 4_000_000 }));
  writeFileSync(join(dir, 'decisions.json'), JSON.stringify({ packs: [{ name: 'budget', digest: `sha256:${'cd'.repeat(32)}` }], decisions: [] }));
  const logMB = Math.round((totalMB * 0.6) / tasks.length);
  const outMB = Math.round((totalMB * 0.4) / tasks.length);
  let bytes = 0;
  for (const [i, t] of tasks.entries()) {
    await writeStreamed(join(dir, 'logs', `${t}.ndjson`), logMB * MB, logFiller(t, seed * 1000 + i));
    mkdirSync(join(dir, 'out', t), { recursive: true });
    await writeStreamed(join(dir, 'out', t, 'model.bin'), (outMB / 2) * MB, (b) => randomFillSync(b));
    await writeStreamed(join(dir, 'out', t, 'table.csv'), (outMB / 2) * MB, logFiller(`${t}-csv`, seed * 7000 + i));
    for (let k = 0; k < 50; k++) writeFileSync(join(dir, 'out', t, `part-${String(k).padStart(3, '0')}.json`), JSON.stringify({ task: t, k, seed }));
    bytes += (logMB + outMB) * MB;
  }
  const record = {
    id,
    tenant: { id: 'bench', name: 'default' },
    subject: 'bench@local',
    workflow: 'bench',
    status: 'succeeded',
    parameters: { seed },
    startedAt: '2026-11-23T10:00:00.000Z',
    finishedAt: '2026-11-23T10:30:00.000Z',
    tasks: tasks.map((t) => ({ id: t, status: 'succeeded', exitCode: 0, usage: { cpuSec: 100, peakRssMB: 512, wallSec: 400, bytesWritten: outMB * MB } })),
    sandbox: { profile: 'default' },
    cost: { actualMicros: 3_900_000 },
  };
  writeFileSync(join(dir, 'execution.json'), JSON.stringify(record, null, 2));
  return { dir, bytes };
}
