/**
 * Run a store suite on both backends: SQLite always, PostgreSQL when server binaries exist (else the
 * reason is printed once). Call storeBackends() at the top level of a test file.
 * @example
 *   const stores = storeBackends();
 *   describe.each(stores.names)('%s', (backend) => { beforeEach(async () => { db = await stores.open(backend); }); });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Db, openDb } from '../../src/store/db.js';
import { type PgCluster, pgSkipReason, startPgCluster } from './pg.js';

export type Backend = 'sqlite' | 'postgres';

export interface StoreBackends {
  readonly names: Backend[];
  /** The cluster (PostgreSQL runs only). */
  cluster(): PgCluster;
  /** A fresh, migrated store on `backend`: a new SQLite file, or a new PostgreSQL database. */
  open(backend: Backend): Promise<Db>;
  /** Where a fresh store lives without opening it (a file path or a database URL). */
  target(backend: Backend): Promise<string>;
}

let counter = 0;

export function storeBackends(): StoreBackends {
  const skip = pgSkipReason();
  if (skip) console.warn(`PostgreSQL runs skipped: ${skip}`);
  const names: Backend[] = skip ? ['sqlite'] : ['sqlite', 'postgres'];
  let cluster: PgCluster | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    if (!skip) cluster = await startPgCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const target = async (backend: Backend): Promise<string> => {
    counter += 1;
    if (backend === 'postgres') return cluster!.createDatabase(`t${process.pid}_${counter}`);
    const dir = mkdtempSync(join(tmpdir(), 'mc-store-'));
    dirs.push(dir);
    return join(dir, 'm.db');
  };
  return {
    names,
    cluster: () => cluster!,
    target,
    open: async (backend) => openDb(await target(backend)),
  };
}
