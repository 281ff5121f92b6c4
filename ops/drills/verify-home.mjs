#!/usr/bin/env node
/**
 * Verify a (restored) state home, in one process: every terminal execution's receipt verifies against
 * the home's trusted keys with its subjects re-hashed from the files on disk, then the execution is
 * re-exported as a disclosure pack and the pack verifies. Prints one JSON summary; exit 1 on any failure.
 * Usage: MAESTRO_HOME=<home> node ops/drills/verify-home.mjs <pack-dir>
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../../dist/src/core/context.js';
import { exportPack, verifyPack } from '../../dist/src/disclose/index.js';
import { RECEIPT_FILE, sha256File, subjectFiles, trustedKeysFromHome, verifyReceipt } from '../../dist/src/receipts/index.js';
import { checkDatabaseFile, dbPath } from '../../dist/src/store/index.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'denied', 'timed_out']);
const packs = process.argv[2];
if (!packs) throw new Error('usage: verify-home.mjs <pack-dir>');
mkdirSync(packs, { recursive: true });
const ctx = createContext();
const started = Date.now();
const trusted = trustedKeysFromHome(ctx);
const db = checkDatabaseFile(dbPath(ctx.home));
const summary = { home: ctx.home, database: db, executions: 0, terminal: 0, notTerminal: [], receiptsVerified: 0, packsVerified: 0, failures: [], seconds: 0 };
const dir = join(ctx.home, 'executions');
for (const id of existsSync(dir) ? readdirSync(dir).sort() : []) {
  const exDir = join(dir, id);
  summary.executions++;
  let record;
  try {
    record = JSON.parse(readFileSync(join(exDir, 'execution.json'), 'utf8'));
  } catch (err) {
    summary.failures.push({ id, what: 'execution.json', detail: String(err.message).slice(0, 200) });
    continue;
  }
  if (!TERMINAL.has(record.status)) {
    summary.notTerminal.push({ id, status: record.status });
    continue;
  }
  summary.terminal++;
  if (record.status === 'denied') continue; // denied before running: no receipt by design
  if (!existsSync(join(exDir, RECEIPT_FILE))) {
    summary.failures.push({ id, what: 'receipt', detail: 'missing' });
    continue;
  }
  const subjects = new Map();
  for (const f of subjectFiles(exDir).files) subjects.set(f.path, (await sha256File(f.absPath)).sha256);
  const v = await verifyReceipt(readFileSync(join(exDir, RECEIPT_FILE), 'utf8'), trusted, { subjects });
  if (!v.ok)
    summary.failures.push({
      id,
      what: 'receipt',
      detail: v.checks
        .filter((c) => !c.ok)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ')
        .slice(0, 300),
    });
  else summary.receiptsVerified++;
  try {
    const e = await exportPack(ctx, { executionId: id, output: join(packs, `${id}.zip`) });
    const p = await verifyPack(ctx, e.path);
    if (!p.ok)
      summary.failures.push({
        id,
        what: 'pack',
        detail: p.checks
          .filter((c) => !c.ok)
          .map((c) => `${c.name}: ${c.detail}`)
          .join('; ')
          .slice(0, 300),
      });
    else summary.packsVerified++;
  } catch (err) {
    summary.failures.push({ id, what: 'export', detail: `${err.code ?? ''} ${err.message}`.slice(0, 300) });
  }
}
summary.seconds = (Date.now() - started) / 1000;
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exitCode = summary.failures.length === 0 && db.ok ? 0 : 1;
