import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, type Migration, migrate, openDb, STATEMENT_CACHE_SIZE, schemaVersion } from '../../src/store/db.js';
import { sqlite } from '../../src/store/sqlite-driver.js';

// better-sqlite3 12 or 13 by Node major, as the engine picks it (ADR 0034).
const Database = sqlite();

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'mc-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the statement cache of a SQLite handle', () => {
  it('hands out the same compiled statement for the same SQL, with pluck reset and never while it iterates', () => {
    const db = openDb(join(tmp(), 'c.db'));
    db.exec('create table t (a integer, b text)');
    const ins = db.prepare('insert into t (a, b) values (?, ?)');
    for (let i = 0; i < 3; i++) ins.run(i, `v${i}`);
    const sql = 'select a, b from t order by a';
    const first = db.prepare(sql);
    expect(db.prepare(sql)).toBe(first);
    expect(db.prepare(sql).pluck().all()).toEqual([0, 1, 2]);
    // The next caller gets rows again, not the plucked column.
    expect(db.prepare(sql).all()).toEqual([
      { a: 0, b: 'v0' },
      { a: 1, b: 'v1' },
      { a: 2, b: 'v2' },
    ]);
    // While a statement iterates, the same SQL gets a fresh one (reusing it would throw "busy").
    const seen: unknown[] = [];
    for (const row of (db.prepare(sql) as unknown as { iterate(): Iterable<{ a: number }> }).iterate()) seen.push(db.prepare(sql).get(), row.a);
    expect(seen).toEqual([{ a: 0, b: 'v0' }, 0, { a: 0, b: 'v0' }, 1, { a: 0, b: 'v0' }, 2]);
    db.close();
  });

  it('is bounded: past its size the least recently used statement is compiled again', () => {
    const db = openDb(join(tmp(), 'c.db'));
    const keep = db.prepare('select 0 as n');
    for (let i = 1; i <= STATEMENT_CACHE_SIZE; i++) {
      db.prepare(`select ${i} as n`);
      if (i % 100 === 0) expect(db.prepare('select 0 as n')).toBe(keep); // used recently: kept
    }
    const old = db.prepare('select 1 as n');
    for (let i = 0; i < STATEMENT_CACHE_SIZE; i++) db.prepare(`select ${1000 + i} as n`);
    expect(db.prepare('select 1 as n')).not.toBe(old);
    expect(db.prepare('select 1 as n').get()).toEqual({ n: 1 });
    db.close();
  });
});

describe('store migrations', () => {
  it('creates a fresh database at the newest version, in WAL mode with foreign keys', () => {
    const db = openDb(join(tmp(), 'm.db'));
    const all = loadMigrations();
    expect(schemaVersion(db)).toBe(all[all.length - 1]!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
    const tables = (db.prepare("select name from sqlite_master where type='table'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['tenants', 'tenant_members', 'executions', 'settings', 'schema_migrations']));
    db.close();
  });

  it('upgrades a version-1 database in place, keeping its data', () => {
    const path = join(tmp(), 'm.db');
    const all = loadMigrations();
    const v1 = openDb(path, all.slice(0, 1));
    v1.prepare("insert into tenants (id, name, created_at) values ('t1', 'acme', '2026-01-01T00:00:00.000Z')").run();
    expect(schemaVersion(v1)).toBe(1);
    v1.close();
    const db = openDb(path, [...all, { version: 999, name: 'extra', sql: 'create table extra (x integer);' }]);
    expect(schemaVersion(db)).toBe(999);
    expect(db.prepare('select name from tenants').get()).toEqual({ name: 'acme' });
    db.close();
  });

  it('a failed migration leaves the previous schema intact', () => {
    const path = join(tmp(), 'm.db');
    const all = loadMigrations();
    openDb(path, all).close();
    const bad: Migration = { version: 1000, name: 'broken', sql: 'create table half_done (x integer); insert into no_such_table values (1);' };
    expect(() => openDb(path, [...all, bad])).toThrow(/migration 1000 \(broken\) failed.*stays at version/);
    const db = new Database(path);
    expect(schemaVersion(db)).toBe(all[all.length - 1]!.version);
    expect(db.prepare("select count(*) as n from sqlite_master where name = 'half_done'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database newer than the engine', () => {
    const path = join(tmp(), 'm.db');
    const all = loadMigrations();
    openDb(path, [...all, { version: 1001, name: 'future', sql: 'select 1;' }]).close();
    expect(() => openDb(path, all)).toThrow(/newer than this maestro knows/);
  });

  it('applies migrations once when two handles open the same fresh file', () => {
    const path = join(tmp(), 'm.db');
    const a = openDb(path);
    const b = openDb(path);
    expect(schemaVersion(a)).toBe(schemaVersion(b));
    const n = a.prepare('select count(*) as n from schema_migrations').get() as { n: number };
    expect(n.n).toBe(loadMigrations().length);
    a.close();
    b.close();
  });

  it('migration files are numbered NNN-name.sql without gaps or duplicates', () => {
    const versions = loadMigrations().map((m) => m.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });

  it('loads migrations from a directory and ignores other files', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', '001-a.sql'), 'create table a (x integer);');
    writeFileSync(join(dir, 'm', 'README.md'), 'not a migration');
    const ms = loadMigrations(join(dir, 'm'));
    expect(ms).toEqual([{ version: 1, name: 'a', sql: 'create table a (x integer);' }]);
    const db = new Database(':memory:');
    expect(migrate(db, ms)).toEqual([1]);
    expect(migrate(db, ms)).toEqual([]);
    expect(readdirSync(join(dir, 'm')).length).toBe(2);
    expect(readFileSync(join(dir, 'm', '001-a.sql'), 'utf8')).toContain('create table a');
  });
});

describe('store migrations merged out of order', () => {
  it('applies a lower-numbered migration that arrives after a higher one', () => {
    const db = new Database(':memory:');
    const one: Migration = { version: 1, name: 'a', sql: 'create table a (x integer);' };
    const two: Migration = { version: 2, name: 'b', sql: 'create table b (x integer);' };
    const three: Migration = { version: 3, name: 'c', sql: 'create table c (x integer);' };
    expect(migrate(db, [one, three])).toEqual([1, 3]);
    expect(migrate(db, [one, two, three])).toEqual([2]);
    expect(db.prepare("select count(*) as n from sqlite_master where name = 'b'").get()).toEqual({ n: 1 });
  });
});
