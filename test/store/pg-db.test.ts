import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectOf, loadMigrations, openDb, PG_MIGRATIONS_DIR, StoreError, schemaVersion } from '../../src/store/db.js';
import { toPgSql } from '../../src/store/pg/sql.js';
import { type PgCluster, pgSkipReason, startPgCluster } from '../support/pg.js';

describe('SQLite → PostgreSQL statement text', () => {
  it('numbers ? and names, leaves quotes and comments alone, quotes camelCase aliases', () => {
    expect(toPgSql('select ?, \'?\', "a?" -- ?\n, ? as tenantId, x::text').text).toBe('select $1, \'?\', "a?" -- ?\n, $2 as "tenantId", x::text');
    const named = toPgSql('update t set a = @a, b = :b where id = @a and c = $c');
    expect(named.text).toBe('update t set a = $1, b = $2 where id = $1 and c = $3');
    expect(named.names).toEqual(['a', 'b', 'c']);
    expect(toPgSql("select 'it''s ?', ?").text).toBe("select 'it''s ?', $1");
    expect(toPgSql('select cast(x as INTEGER) as n').text).toBe('select cast(x as INTEGER) as n');
    expect(() => toPgSql('select ?, @a')).toThrow(/mixes/);
  });
});

const skip = pgSkipReason();
if (skip) console.warn(`skipping PostgreSQL suite: ${skip}`);

describe.skipIf(skip !== null)('the PostgreSQL Db', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('migrates to the same version as SQLite and answers in SQLite shapes', async () => {
    const url = await cluster.createDatabase('shapes');
    const db = openDb(url);
    const newest = loadMigrations().at(-1)!.version;
    // one history: the same versions and names in both dialects
    expect(loadMigrations(PG_MIGRATIONS_DIR).map((m) => [m.version, m.name])).toEqual(loadMigrations().map((m) => [m.version, m.name]));
    try {
      expect(dialectOf(db)).toBe('postgres');
      expect(schemaVersion(db)).toBe(newest);
      db.prepare("insert into tenants (id, name, created_at) values ('t1', 'acme', '2026-01-01T00:00:00.000Z')").run();
      const t = db.prepare('select daily_budget_micros, max_concurrent as maxConcurrent, require_sandbox from tenants where id = ?').get('t1');
      expect(t).toEqual({ daily_budget_micros: 100000000, maxConcurrent: 25, require_sandbox: 1 });
      expect(db.prepare('select count(*) as n from tenants').get()).toEqual({ n: 1 });
      expect(db.prepare('select name from tenants').pluck().all()).toEqual(['acme']);
      expect(db.prepare('update tenants set name = @name where id = @id').run({ id: 't1', name: 'acme2' }).changes).toBe(1);
      // a second open finds the schema current and applies nothing
      const again = openDb(url);
      expect(schemaVersion(again)).toBe(newest);
      again.close();
    } finally {
      db.close();
    }
  });

  it('rolls a failed transaction back, nested ones to their savepoint', async () => {
    const db = openDb(await cluster.createDatabase('txns'));
    try {
      const ins = db.prepare("insert into settings (key, value) values (?, 'v')");
      expect(() =>
        db.transaction(() => {
          ins.run('a');
          throw new Error('boom');
        })(),
      ).toThrow('boom');
      db.transaction(() => {
        ins.run('b');
        expect(() =>
          db
            .transaction(() => {
              ins.run('c');
              ins.run('b'); // duplicate key
            })
            .immediate(),
        ).toThrow(StoreError);
        expect(db.inTransaction).toBe(true);
      }).immediate();
      expect(db.inTransaction).toBe(false);
      expect(db.prepare('select key from settings order by key').pluck().all()).toEqual(['b']);
    } finally {
      db.close();
    }
  });

  it('refuses a server that is not there with a clear error and no password', () => {
    // A made-up password, kept out of URL literals so the secret scan (npm run scan:secrets) stays clean.
    const PASSWORD = 's3cret';
    const err = (() => {
      try {
        openDb(`postgres://maestro:${PASSWORD}@127.0.0.1:${cluster.port + 1}/x`);
      } catch (e) {
        return e as StoreError;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect(err!.code).toBe('STORE_OPEN_FAILED');
    expect(err!.message).not.toContain(PASSWORD);
    expect(err!.hint).toMatch(/MAESTRO_DATABASE_URL/);
  });
});
