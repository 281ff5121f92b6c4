import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, pgSkipReason, startPgCluster } from '../support/pg.js';

const skip = pgSkipReason();
if (skip) console.warn(`skipping PostgreSQL suite: ${skip}`);

describe.skipIf(skip !== null)('test PostgreSQL cluster', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('serves a new database and keeps committed data across a restart', async () => {
    const url = await cluster.createDatabase('harness');
    const c1 = new pg.Client({ connectionString: url });
    await c1.connect();
    await c1.query('create table t (v int)');
    await c1.query('insert into t values (42)');
    await c1.end();
    await cluster.restart({ mode: 'immediate' });
    const c2 = new pg.Client({ connectionString: url });
    await c2.connect();
    const r = await c2.query('select v from t');
    await c2.end();
    expect(r.rows).toEqual([{ v: 42 }]);
  });
});
