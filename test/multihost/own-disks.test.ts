/**
 * Hosts that share nothing but the database: serve on h0 and a worker on h1, each unable to see the
 * other's state home (a tmpfs over it in the host's own mount namespace), as on two real machines.
 * A published execution must run on h1 and its status, logs and receipt be served by h0.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../helpers/cli.js';
import { unavailableReason } from '../runner/escape/helpers.js';
import { type MultiHost, multiHostSkipReason, startMultiHost } from './cluster.js';
import { type Captured, cli, databaseUrlSupported, markerManifest, publish, startServe, startWorker, tenant, until } from './maestro-hosts.js';

const reason = multiHostSkipReason() ?? unavailableReason() ?? databaseUrlSupported();
if (reason) console.warn(`test/multihost/own-disks: skipped: ${reason}`);
const ENV = { MAESTRO_LEASE_MS: '5000', MAESTRO_PDP_TIMEOUT_MS: '20000' };

describe.skipIf(reason !== null)('hosts with their own disks', () => {
  let mh: MultiHost;
  const homes = [tempHome('mc-od0-'), tempHome('mc-od1-')];
  const procs: Captured[] = [];
  let serveUrl = '';
  let worker: Captured;

  beforeAll(async () => {
    mh = await startMultiHost(2, 'owndisks');
    cli(homes[0]!.home, mh.localUrl, ['init']);
    mkdirSync(homes[1]!.home, { recursive: true });
    // Each host sees its own home only.
    const s = await startServe(mh.net.hosts[0]!, homes[0]!.home, mh.hostUrl, ENV, [homes[1]!.home]);
    procs.push(s.proc);
    serveUrl = s.url;
    worker = startWorker(mh.net.hosts[1]!, homes[1]!.home, mh.hostUrl, 4, ENV, [homes[0]!.home]);
    procs.push(worker);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await mh?.destroy();
    for (const h of homes) h.cleanup();
  });

  // The workflow travels through the database (stored at admission); the worker rebuilds the
  // execution's directory in its own home.
  it('an execution published on h0 runs on h1, and h0 serves its status and logs', async () => {
    const token = tenant(homes[0]!.home, mh.localUrl, 'disks', 10, '1000000');
    const auth = { authorization: `Bearer ${token}` };
    const p = await publish(serveUrl, token, { manifest: markerManifest('own-disks', 'echo ran-in-the-sandbox'), name: 'd.yaml' });
    expect(p.id, JSON.stringify(p)).toBeTruthy();
    let view: { status?: string; reason?: string | null } = {};
    await until(
      async () => {
        view = (await (await fetch(`${serveUrl}/api/executions/${p.id}`, { headers: auth })).json()) as typeof view;
        return ['succeeded', 'failed', 'cancelled'].includes(view.status ?? '');
      },
      60_000,
      'the execution to end',
      500,
    );
    expect(view.status, `${view.reason}\nworker:\n${worker.text.slice(-3000)}`).toBe('succeeded');
    const logs = await (await fetch(`${serveUrl}/api/executions/${p.id}/logs`, { headers: auth })).text();
    expect(logs).toContain('ran-in-the-sandbox');
    // It ran on h1: the worker rebuilt the directory in its own home and ran the task there (the
    // sandbox's hostname is its own, so the host is told by where the task's log mirror was written).
    expect(existsSync(join(homes[1]!.home, 'executions', p.id, 'logs', 't.ndjson'))).toBe(true);
    expect(existsSync(join(homes[0]!.home, 'executions', p.id, 'logs', 't.ndjson'))).toBe(false);
  }, 90_000);
});
