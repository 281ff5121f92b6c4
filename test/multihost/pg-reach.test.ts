/**
 * The multi-host plumbing without maestro: PostgreSQL (the test harness, listening on the bridge
 * address) is reachable from every network-namespace host, sees each host's own address, and carries
 * LISTEN/NOTIFY from one host to another (the wake-up the worker pools rely on).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MultiHost, multiHostSkipReason, startMultiHost } from './cluster.js';

const reason = multiHostSkipReason();
if (reason) console.warn(`test/multihost/pg-reach: skipped: ${reason}`);
const ROOT = resolve(import.meta.dirname, '..', '..');

/** A node script run inside a host, with `pg` from the repository's node_modules. */
const script = (body: string) => `const pg=require('pg');(async()=>{${body}})().catch(e=>{console.error(e.message);process.exit(1)})`;

describe.skipIf(reason !== null)('PostgreSQL across network-namespace hosts', () => {
  let mh: MultiHost;
  beforeAll(async () => {
    mh = await startMultiHost(3, 'reach');
  }, 120_000);
  afterAll(async () => {
    await mh?.destroy();
  });

  it('every host connects to the database on the gateway address and is seen from its own address', async () => {
    expect(new URL(mh.hostUrl).hostname).toBe(mh.net.gateway);
    for (const h of mh.net.hosts) {
      const r = await h.exec(
        process.execPath,
        [
          '-e',
          script(
            `const c=new pg.Client(${JSON.stringify(mh.hostUrl)});await c.connect();const r=await c.query('select host(inet_client_addr()) as a');console.log(r.rows[0].a);await c.end()`,
          ),
        ],
        { cwd: ROOT },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(h.addr);
    }
  });

  it('a host cannot reach the database on its own loopback (it is another machine)', async () => {
    const h = mh.net.hosts[0]!;
    const r = await h.exec(
      process.execPath,
      [
        '-e',
        script(
          `const c=new pg.Client({connectionString:${JSON.stringify(mh.localUrl)},connectionTimeoutMillis:3000});await c.connect();console.log('connected')`,
        ),
      ],
      { cwd: ROOT },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  });

  it('LISTEN on one host wakes on a NOTIFY from another', async () => {
    const [, listener, notifier] = mh.net.hosts;
    const listening = listener!.exec(
      process.execPath,
      [
        '-e',
        script(
          `const c=new pg.Client(${JSON.stringify(mh.hostUrl)});await c.connect();await c.query('listen mh_wake');console.error('ready');` +
            `const t=setTimeout(()=>{console.log('no notification');process.exit(2)},20000);` +
            `c.on('notification',async m=>{clearTimeout(t);console.log(m.channel+':'+m.payload);await c.end()})`,
        ),
      ],
      { cwd: ROOT, timeoutMs: 30_000 },
    );
    // Notify repeatedly until the listener has printed (it may not be listening yet); bounded.
    let out: { code: number; stdout: string; stderr: string } | undefined;
    const done = listening.then((r) => (out = r));
    for (let i = 0; i < 40 && !out; i++) {
      await notifier!.exec(
        process.execPath,
        [
          '-e',
          script(
            `const c=new pg.Client(${JSON.stringify(mh.hostUrl)});await c.connect();await c.query("select pg_notify('mh_wake', 'from-${notifier!.name}')");await c.end()`,
          ),
        ],
        { cwd: ROOT },
      );
      await Promise.race([done, new Promise((r) => setTimeout(r, 250))]);
    }
    await done;
    expect(out!.code).toBe(0);
    expect(out!.stdout.trim()).toBe(`mh_wake:from-${notifier!.name}`);
  });
});
