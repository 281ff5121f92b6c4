/**
 * Evidence sealed into the database (ADR 0030) on a real SQLite file: the files come back byte for
 * byte into an empty directory, logs rendered from the lines; outputs past the cap are left out and
 * reported as missing receipt subjects.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { materialiseEvidence, sealEvidenceFiles } from '../../src/runner/evidence-files.js';
import { LogSink } from '../../src/runner/log-sink.js';
import { type Db, openDb } from '../../src/store/index.js';
import { evidenceFile, evidenceFiles, putEvidenceFiles } from '../../src/store/logs.js';

let dir: string;
let db: Db;
const TS = '2026-11-28T10:00:00.000Z';

function setup(): { exDir: string } {
  dir = mkdtempSync(join(tmpdir(), 'mh-evfiles-'));
  db = openDb(join(dir, 'maestro.db'));
  db.prepare('insert into tenants (id, name, created_at) values (?, ?, ?)').run('t1', 't1', TS);
  db.prepare(
    `insert into executions (id, tenant_id, subject, workflow_name, manifest_digest, status, published_at) values ('ex_1', 't1', 'me', 'wf', 'sha256:0', 'succeeded', ?)`,
  ).run(TS);
  const exDir = join(dir, 'ex_1');
  mkdirSync(join(exDir, 'out', 'a'), { recursive: true });
  mkdirSync(join(exDir, 'logs'));
  writeFileSync(
    join(exDir, 'execution.json'),
    JSON.stringify({
      id: 'ex_1',
      tasks: [
        { id: 'a', startedAt: TS },
        { id: 'b', startedAt: null },
      ],
    }),
  );
  writeFileSync(join(exDir, 'out', 'a', 'small.txt'), 'small\n');
  writeFileSync(join(exDir, 'out', 'a', 'zbig.bin'), Buffer.alloc(4000, 1));
  const statement = { subject: [{ name: 'logs/a.ndjson' }, { name: 'out/a/small.txt' }, { name: 'out/a/zbig.bin' }] };
  writeFileSync(join(exDir, 'receipt.sigstore.json'), JSON.stringify({ dsseEnvelope: { payload: Buffer.from(JSON.stringify(statement)).toString('base64') } }));
  const sink = new LogSink(db, 'ex_1');
  sink.push('a', 'stdout', ['hello', 'world'], TS);
  sink.flush();
  return { exDir };
}
afterEach(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('evidence files in the database', () => {
  it('round-trips every file and renders the logs of started tasks (an empty log for a silent one)', async () => {
    const { exDir } = setup();
    expect(await sealEvidenceFiles(db, 'ex_1', exDir, TS, 1 << 20)).toMatchObject({ stored: 4, omitted: [] });
    const into = join(dir, 'copy');
    mkdirSync(into);
    expect(await materialiseEvidence(db, 'ex_1', into)).toEqual({ missing: [] });
    for (const f of ['execution.json', 'receipt.sigstore.json', 'out/a/small.txt', 'out/a/zbig.bin'])
      expect(readFileSync(join(into, f)).equals(readFileSync(join(exDir, f))), f).toBe(true);
    expect(readFileSync(join(into, 'logs', 'a.ndjson'), 'utf8')).toBe(
      `${JSON.stringify({ ts: TS, stream: 'stdout', line: 'hello' })}\n${JSON.stringify({ ts: TS, stream: 'stdout', line: 'world' })}\n`,
    );
    expect(() => readFileSync(join(into, 'logs', 'b.ndjson'))).toThrow(); // never started: no log
  });

  it('leaves outputs past the cap out and reports them as missing subjects', async () => {
    const { exDir } = setup();
    const r = await sealEvidenceFiles(db, 'ex_1', exDir, TS, 1000);
    expect(r.omitted).toEqual(['out/a/zbig.bin']);
    expect(evidenceFiles(db, 'ex_1').map((f) => f.path)).toEqual(['execution.json', 'out/a/small.txt', 'receipt.sigstore.json']);
    const into = join(dir, 'copy');
    mkdirSync(into);
    expect(await materialiseEvidence(db, 'ex_1', into)).toEqual({ missing: ['out/a/zbig.bin'] });
  });
});

describe('files the admission stored already', () => {
  it('are neither read nor stored again at seal, yet count toward the cap; the others are stored', async () => {
    const { exDir } = setup();
    const published = Buffer.from('{"published":true}\n');
    putEvidenceFiles(db, 'ex_1', [{ path: 'plan.json', size: published.length, sha256: 'p', content: published }], TS);
    // A local plan.json that differs (nothing rewrites it after admission; if something did, the admitted copy stands).
    writeFileSync(join(exDir, 'plan.json'), 'local\n');
    writeFileSync(join(exDir, 'decisions.json'), '[]\n');
    const later = '2026-11-28T11:00:00.000Z';
    // execution.json + receipt + decisions.json + small.txt fit; the published plan's bytes push zbig.bin over.
    const sizes = ['execution.json', 'receipt.sigstore.json', 'decisions.json', 'out/a/small.txt'].map((f) => readFileSync(join(exDir, f)).length);
    const cap = sizes.reduce((a, b) => a + b, 0) + published.length + 4000 - 1;
    const r = await sealEvidenceFiles(db, 'ex_1', exDir, later, cap);
    expect(r.omitted).toEqual(['out/a/zbig.bin']);
    expect(r.stored).toBe(4);
    expect(evidenceFile(db, 'ex_1', 'plan.json')!.content.equals(published)).toBe(true);
    expect(db.prepare("select stored_at as s from execution_files where execution_id = 'ex_1' and path = 'plan.json'").get()).toEqual({ s: TS });
    expect(evidenceFile(db, 'ex_1', 'decisions.json')!.content.toString()).toBe('[]\n');
    // One more byte of cap and the output fits.
    expect((await sealEvidenceFiles(db, 'ex_1', exDir, later, cap + 1)).omitted).toEqual([]);
  });
});

describe('recovery and directories on other hosts', () => {
  it('sealPending leaves an execution whose directory is not on this host (no ENOENT for the caller)', async () => {
    const { sealPending } = await import('../../src/runner/execute.js');
    const { createContext } = await import('../../src/core/context.js');
    setup();
    db.prepare("update executions set status = 'failed', finished_at = ?, dir = ?, sealed = 0, lease_owner = null where id = 'ex_1'").run(
      TS,
      join(dir, 'on-another-host', 'ex_1'),
    );
    const ctx = createContext({ home: join(dir, 'home'), env: {} });
    const store = { db, path: join(dir, 'maestro.db'), close: () => undefined };
    await expect(sealPending({ ctx, store }, undefined)).resolves.toBe(0);
    expect(db.prepare("select sealed from executions where id = 'ex_1'").get()).toEqual({ sealed: 0 });
  });
});
