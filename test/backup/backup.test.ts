/**
 * Backup and restore of a real state home (issue 16 item 10): `maestro init` (real keys, token,
 * database) plus executions' evidence; directory and S3 (s3rver on loopback) targets; incremental
 * copies; secrets only encrypted; restore only into an empty home, every digest verified.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error -- s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup, runRestore } from '../../src/backup/index.js';
import { type Context, createContext } from '../../src/core/context.js';
import { BIN, maestro, ROOT } from '../helpers/cli.js';
import { fixtureContext, makeExecution } from '../receipts/fixtures.js';

const PASS = 'correct horse battery staple';
const root = mkdtempSync(join(tmpdir(), 'backup-test-'));
let n = 0;
const fresh = (name: string) => join(root, `${name}-${++n}`);
const ctxFor = (home: string, env: Record<string, string> = { MAESTRO_BACKUP_PASSPHRASE: PASS }): Context =>
  createContext({ home, env: { MAESTRO_HOME: home, ...env }, cwd: root });

/** A state home made by the real CLI, with `count` executions of evidence. */
function makeHome(count: number): string {
  const home = fresh('home');
  expect(maestro(home, ['init']).code).toBe(0);
  for (let i = 0; i < count; i++) addExecution(home, i);
  mkdirSync(join(home, 'runtime'), { recursive: true });
  writeFileSync(join(home, 'runtime', 'scratch.bin'), 'not backed up');
  mkdirSync(join(home, 'executions'), { recursive: true });
  writeFileSync(join(home, 'executions', '.junk.tmp'), 'a temp file');
  return home;
}

function addExecution(home: string, i: number): string {
  const id = `ex_${String(i).padStart(26, '0')}`;
  makeExecution(fixtureContext(home), { id, tasks: [{ id: 'build', lines: 5, outputs: { 'app.bin': Buffer.from(`build ${i}`) } }] });
  return id;
}

/** Every file under a home (relative path → bytes, mode), minus what backups skip. */
function tree(home: string): Map<string, { bytes: string; mode: number }> {
  const out = new Map<string, { bytes: string; mode: number }>();
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if ((!rel && ['runtime', 'uploads'].includes(e.name)) || r.startsWith('maestro.db') || e.name.endsWith('.tmp')) continue;
      if (e.isDirectory()) walk(join(dir, e.name), r);
      else out.set(r, { bytes: readFileSync(join(dir, e.name)).toString('base64'), mode: statSync(join(dir, e.name)).mode & 0o777 });
    }
  };
  walk(home, '');
  return out;
}

function objects(dir: string): string[] {
  const o = join(dir, 'objects');
  return existsSync(o) ? readdirSync(o).flatMap((d) => readdirSync(join(o, d)).map((f) => join(o, d, f))) : [];
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('backup and restore to a directory', () => {
  it('round-trips a home byte for byte (modes too); the restored CLI works; secrets are never stored in clear', async () => {
    const home = makeHome(3);
    // One output above the 8 MiB in-memory limit: stored from a private copy.
    makeExecution(fixtureContext(home), {
      id: 'ex_big0000000000000000000000',
      tasks: [{ id: 'big', outputs: { 'blob.bin': Buffer.alloc(9 * 1024 * 1024, 7) } }],
    });
    const dest = fresh('dest');
    const b = await runBackup(ctxFor(home), { to: dest });
    expect(b).toMatchObject({ parent: null, executions: 4, executionsCopied: 4, secrets: expect.any(Number), database: { integrity: 'ok' } });
    expect(b.secrets).toBeGreaterThanOrEqual(3); // keys/default.key, keys/token-es256.key.pem, token, ...
    for (const file of objects(dest)) {
      const bytes = readFileSync(file);
      expect(bytes.includes('PRIVATE KEY'), file).toBe(false);
      expect(bytes.includes(readFileSync(join(home, 'token'))), file).toBe(false);
    }
    const target = fresh('restored');
    const r = await runRestore(ctxFor(target), { from: dest });
    expect(r).toMatchObject({ backupId: b.id, executions: 4, verified: true, database: { integrity: 'ok' } });
    expect(tree(target)).toEqual(tree(home));
    expect(existsSync(join(target, 'runtime'))).toBe(false);
    const who = maestro(target, ['whoami', '--json']); // the restored database, token and token key work together
    expect(who.code, who.stderr).toBe(0);
    expect(who.json().tenant).toBe('default');
  });

  it('is incremental: unchanged executions are not copied again; a new one is', async () => {
    const home = makeHome(4);
    const dest = fresh('dest');
    const first = await runBackup(ctxFor(home), { to: dest });
    const countAfterFirst = objects(dest).length;
    const second = await runBackup(ctxFor(home), { to: dest });
    expect(second.parent).toBe(first.id);
    expect(second).toMatchObject({ filesCopied: 0, executions: 4, executionsCopied: 0 });
    const id = addExecution(home, 99);
    const third = await runBackup(ctxFor(home), { to: dest });
    expect(third).toMatchObject({ parent: second.id, executions: 5, executionsCopied: 1 });
    expect(third.filesCopied).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(dest, 'backups', `${third.id}.json`), 'utf8'));
    expect(manifest.files.filter((f: { path: string }) => f.path.startsWith(`executions/${id}/`)).length).toBeGreaterThan(3);
    // Only the new execution's files (and secrets/db, re-sealed or changed) became new objects.
    expect(objects(dest).length - countAfterFirst).toBeLessThan(
      manifest.files.filter((f: { path: string }) => f.path.startsWith(`executions/${id}/`)).length + 2 * manifest.secrets.length + 3,
    );
    const target = fresh('restored');
    await runRestore(ctxFor(target), { from: dest });
    expect(tree(target)).toEqual(tree(home));
    const older = fresh('restored-older');
    const r = await runRestore(ctxFor(older), { from: dest, backup: first.id });
    expect(r.backupId).toBe(first.id);
    expect(existsSync(join(older, 'executions', id))).toBe(false);
  });

  it('needs a passphrase to back up keys, and the right one to restore them; a failed restore leaves nothing', async () => {
    const home = makeHome(1);
    const dest = fresh('dest');
    await expect(runBackup(ctxFor(home, {}), { to: dest })).rejects.toMatchObject({ code: 'BACKUP_PASSPHRASE_REQUIRED', exitCode: 2 });
    expect(existsSync(join(dest, 'LATEST'))).toBe(false);
    const passFile = join(root, 'pass.txt');
    writeFileSync(passFile, `${PASS}\n`);
    await runBackup(ctxFor(home, {}), { to: dest, passphraseFile: passFile }); // file and env are the same passphrase
    const target = fresh('restored');
    await expect(runRestore(ctxFor(target, { MAESTRO_BACKUP_PASSPHRASE: 'not the passphrase' }), { from: dest })).rejects.toMatchObject({
      code: 'BACKUP_PASSPHRASE_WRONG',
    });
    await expect(runRestore(ctxFor(target, {}), { from: dest })).rejects.toMatchObject({ code: 'BACKUP_PASSPHRASE_REQUIRED' });
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dirname(target)).filter((x) => x.includes('.restoring.'))).toEqual([]);
    await runRestore(ctxFor(target), { from: dest });
    expect(tree(target)).toEqual(tree(home));
  });

  it('refuses a non-empty home (exit 2, untouched) and an altered object (nothing written)', async () => {
    const home = makeHome(2);
    const dest = fresh('dest');
    expect(maestro(home, ['backup', '--to', dest, '--json'], { MAESTRO_BACKUP_PASSPHRASE: PASS }).code).toBe(0);
    const occupied = fresh('occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'keep.txt'), 'mine');
    const refused = maestro(occupied, ['restore', '--from', dest], { MAESTRO_BACKUP_PASSPHRASE: PASS });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`the state home ${occupied} is not empty (1 entry, e.g. keep.txt): restore writes only into an empty state home`);
    expect(readdirSync(occupied)).toEqual(['keep.txt']);
    // Flip a byte of one evidence object: the restore names it and writes nothing.
    const manifest = JSON.parse(readFileSync(join(dest, 'backups', `${JSON.parse(readFileSync(join(dest, 'LATEST'), 'utf8')).id}.json`), 'utf8'));
    const receipt = manifest.files.find((f: { path: string }) => f.path.endsWith('/execution.json'));
    const obj = join(dest, 'objects', receipt.sha256.slice(0, 2), receipt.sha256);
    const bytes = readFileSync(obj);
    bytes[0] ^= 1;
    writeFileSync(obj, bytes);
    const target = fresh('restored');
    const bad = maestro(target, ['restore', '--from', dest], { MAESTRO_BACKUP_PASSPHRASE: PASS });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${receipt.path}: restored bytes have sha256`);
    expect(existsSync(target)).toBe(false);
    const empty = fresh('empty');
    expect(maestro(empty, ['restore', '--from', fresh('nothing-here')]).code).toBe(5);
  });
});

describe('backup and restore through S3 (s3rver on loopback)', () => {
  let server: { run(): Promise<{ port: number }>; close(): Promise<void>; httpServer: { closeAllConnections(): void } };
  let endpoint: string;
  const creds = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
  beforeAll(async () => {
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: mkdtempSync(join(tmpdir(), 's3rver-')),
      configureBuckets: [{ name: 'backups' }],
    });
    endpoint = `http://127.0.0.1:${(await server.run()).port}`;
  });
  afterAll(async () => {
    server.httpServer.closeAllConnections();
    await server.close();
  });

  it('backs up, backs up again without copying unchanged files, and restores byte for byte', async () => {
    const home = makeHome(3);
    const env = { MAESTRO_BACKUP_PASSPHRASE: PASS, ...creds };
    const first = await runBackup(ctxFor(home, env), { to: 's3://backups/site-a/maestro', s3: { endpoint } });
    expect(first.target).toBe('s3://backups/site-a/maestro');
    const second = await runBackup(ctxFor(home, env), { to: 's3://backups/site-a/maestro', s3: { endpoint } });
    expect(second).toMatchObject({ parent: first.id, filesCopied: 0, executionsCopied: 0 });
    const target = fresh('restored');
    const r = await runRestore(ctxFor(target, env), { from: 's3://backups/site-a/maestro', s3: { endpoint } });
    expect(r.backupId).toBe(second.id);
    expect(tree(target)).toEqual(tree(home));
  });
});

describe('backup --watch', () => {
  it('backs up every period and stops cleanly on SIGTERM, mid-wait', async () => {
    const home = makeHome(1);
    const dest = fresh('dest');
    const child = spawn(process.execPath, [BIN, 'backup', '--to', dest, '--watch', '--every', '1s', '--json'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, MAESTRO_HOME: home, MAESTRO_BACKUP_PASSPHRASE: PASS, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const deadline = Date.now() + 30_000;
    while (out.split('\n').filter(Boolean).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lines = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines[1].parent).toBe(lines[0].id);
    // Recovery points at most a period (+ the backup's own time) apart.
    expect(Date.parse(lines[2].snapshotAt) - Date.parse(lines[1].snapshotAt)).toBeLessThan(1000 + 2000);
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toMatch(/SIGTERM received, stopping after the backup in progress/);
    expect(JSON.parse(readFileSync(join(dest, 'LATEST'), 'utf8')).id).toBe(JSON.parse(out.trim().split('\n').at(-1)!).id);
  }, 60_000);

  it('stops at once on a usage error instead of retrying it every period', () => {
    const r = maestro(makeHome(0), ['backup', '--to', fresh('d'), '--watch', '--every', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no passphrase given');
  });

  it('refuses a bad period', () => {
    const r = maestro(fresh('h'), ['backup', '--to', fresh('d'), '--watch', '--every', '10'], { MAESTRO_BACKUP_PASSPHRASE: PASS });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--every "10" is not a period between 1s and 24h');
  });
});

describe('watch bounds', () => {
  it('ten failures in a row stop the loop with the last error (each one reported)', async () => {
    const home = makeHome(0);
    const notADir = join(root, 'a-file');
    writeFileSync(notADir, 'x');
    const errors: string[] = [];
    const { watchBackups, MAX_CONSECUTIVE_FAILURES } = await import('../../src/backup/index.js');
    await expect(
      watchBackups(ctxFor(home), {
        to: join(notADir, 'sub'),
        everyMs: 1,
        signal: new AbortController().signal,
        onResult: () => undefined,
        onError: (e) => errors.push(e.message),
      }),
    ).rejects.toThrow(/ENOTDIR|not a directory/);
    expect(errors).toHaveLength(MAX_CONSECUTIVE_FAILURES - 1);
  });

  it('maxRuns bounds the loop', async () => {
    const { watchBackups } = await import('../../src/backup/index.js');
    const results: string[] = [];
    const r = await watchBackups(ctxFor(makeHome(1)), {
      to: fresh('dest'),
      everyMs: 1,
      maxRuns: 3,
      signal: new AbortController().signal,
      onResult: (b) => results.push(b.id),
      onError: () => undefined,
    });
    expect(r).toEqual({ backups: 3, failures: 0 });
    expect(new Set(results).size).toBe(3);
  });
});
