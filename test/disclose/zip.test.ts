import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dosDateTimeUtc, writeZip, type ZipInput, zipEpochFromEnv } from '../../src/disclose/index.js';

const dir = mkdtempSync(join(tmpdir(), 'zip-'));
writeFileSync(join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 'abcdefgh'));
const inputs: ZipInput[] = [
  { path: 'z.txt', data: Buffer.from('last\n') },
  { path: 'a/b.txt', data: Buffer.from('first\n') },
  { path: 'logs/big.bin', file: join(dir, 'big.bin'), size: 3 * 1024 * 1024 },
];
const savedTz = process.env.TZ;
const root = join(import.meta.dirname, '..', '..');
/** The compiled zip writer (child processes cannot load TypeScript); builds once if missing. */
function ensureBuilt(): string {
  const built = join(root, 'dist', 'src', 'disclose', 'zip.js');
  if (!existsSync(built)) spawnSync('flock', ['/tmp/build.lock', 'npx', 'tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'ignore' });
  return built;
}
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

async function zipTo(name: string, opts: { mtimeMs?: number } = {}): Promise<Buffer> {
  const path = join(dir, name);
  await writeZip(createWriteStream(path), inputs, opts);
  return readFileSync(path);
}
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Central directory records: name, DOS time/date, made-by, external attributes, extra length. */
function central(buf: Buffer): Array<{ name: string; time: number; date: number; madeBy: number; attrs: number; extra: number }> {
  const out = [];
  for (let i = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); i >= 0; i = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), i + 4)) {
    const nameLen = buf.readUInt16LE(i + 28);
    out.push({
      name: buf.subarray(i + 46, i + 46 + nameLen).toString(),
      time: buf.readUInt16LE(i + 12),
      date: buf.readUInt16LE(i + 14),
      madeBy: buf.readUInt16LE(i + 4),
      attrs: buf.readUInt32LE(i + 38),
      extra: buf.readUInt16LE(i + 30),
    });
  }
  return out;
}

describe('deterministic zip', () => {
  it('sorts entries, fixes mode 0644 (Unix), 1980-01-01 00:00 UTC, no extra fields', async () => {
    const cd = central(await zipTo('a.zip'));
    expect(cd.map((e) => e.name)).toEqual(['a/b.txt', 'logs/big.bin', 'z.txt']);
    for (const e of cd) {
      expect(e.date).toBe((1 << 5) | 1); // 1980-01-01
      expect(e.time).toBe(0);
      expect(e.madeBy >> 8).toBe(3); // Unix
      expect(e.attrs >>> 16).toBe(0o100644);
      expect(e.extra).toBe(0);
    }
  });

  it('gives the same bytes in every time zone (TZ switched in-process)', async () => {
    const hashes = new Set<string>();
    for (const tz of ['UTC', 'Asia/Kolkata', 'America/Los_Angeles', 'Pacific/Chatham']) {
      process.env.TZ = tz;
      hashes.add(sha(await zipTo(`tz-${tz.replace('/', '_')}.zip`, { mtimeMs: Date.UTC(2024, 6, 15, 13, 37, 42) })));
    }
    expect(hashes.size).toBe(1);
  });

  it('gives the same bytes under TZ=UTC and TZ=Asia/Kolkata processes (default 1980 epoch)', () => {
    const built = ensureBuilt();
    const script = `import(${JSON.stringify(built)}).then(async (m) => { const fs = await import('node:fs'); const r = await m.writeZip(fs.createWriteStream(process.argv[1]), [{ path: 'b.txt', data: Buffer.from('b') }, { path: 'a.txt', data: Buffer.from('a') }]); process.stdout.write(r.sha256); })`;
    const run = (tz: string): string =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script, join(dir, `proc-${tz.replace('/', '_')}.zip`)], {
        env: { ...process.env, TZ: tz },
        encoding: 'utf8',
      });
    const utc = run('UTC');
    expect(run('Asia/Kolkata')).toBe(utc);
    expect(run('America/New_York')).toBe(utc);
    expect(central(readFileSync(join(dir, 'proc-Asia_Kolkata.zip')))[0]).toMatchObject({ name: 'a.txt', date: 33, time: 0 });
  });

  it('encodes SOURCE_DATE_EPOCH from UTC fields', async () => {
    const ms = zipEpochFromEnv({ SOURCE_DATE_EPOCH: String(Date.UTC(2024, 6, 15, 13, 37, 42) / 1000) });
    process.env.TZ = 'Asia/Kolkata';
    const cd = central(await zipTo('sde.zip', { mtimeMs: ms }));
    const want = dosDateTimeUtc(ms);
    expect(cd[0]).toMatchObject({ date: want.date, time: want.time });
    expect(want.time >> 11).toBe(13);
    expect(zipEpochFromEnv({})).toBe(Date.UTC(1980, 0, 1));
    expect(zipEpochFromEnv({ SOURCE_DATE_EPOCH: '0' })).toBe(Date.UTC(1980, 0, 1));
    expect(() => zipEpochFromEnv({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/whole number/);
  });

  it('refuses duplicate entry names', async () => {
    await expect(
      writeZip(createWriteStream(join(dir, 'dup.zip')), [
        { path: 'a', data: Buffer.from('1') },
        { path: 'a', data: Buffer.from('2') },
      ]),
    ).rejects.toThrow(/two entries are named "a"/);
  });

  it('fails (and says which) when a file changes between hashing and zipping', async () => {
    const f = join(dir, 'changing.txt');
    writeFileSync(f, 'before');
    const good = sha(Buffer.from('before'));
    writeFileSync(f, 'after!');
    await expect(writeZip(createWriteStream(join(dir, 'chg.zip')), [{ path: 'x/changing.txt', file: f, size: 6, sha256: good }])).rejects.toThrow(
      /x\/changing.txt changed/,
    );
  });
});
