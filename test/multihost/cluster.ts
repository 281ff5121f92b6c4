/**
 * The multi-host setup shared by test/multihost suites: N network-namespace hosts and one throwaway
 * PostgreSQL cluster in the root namespace listening on the bridge address, so every host reaches it
 * at `gateway:port` (as a database server on another machine). `hostUrl` is the URL hosts use,
 * `localUrl` the one the test process itself uses (loopback).
 */

import { createHosts, type Hosts, netnsSkipReason } from '../support/netns.js';
import { type PgCluster, pgSkipReason, startPgCluster } from '../support/pg.js';

export interface MultiHost {
  net: Hosts;
  cluster: PgCluster;
  /** postgres://…@<gateway>:<port>/<db>: what processes inside the hosts use. */
  hostUrl: string;
  /** postgres://…@127.0.0.1:<port>/<db>: what the test process uses. */
  localUrl: string;
  destroy(): Promise<void>;
}

/**
 * Why multi-host suites cannot run here (null when they can). With MAESTRO_REQUIRE_PG=1 a missing
 * PostgreSQL fails instead of skipping, and with MAESTRO_REQUIRE_NETNS=1 a missing namespace capability.
 */
export function multiHostSkipReason(): string | null {
  const pg = pgSkipReason(); // throws under MAESTRO_REQUIRE_PG=1 when PostgreSQL is missing
  const ns = netnsSkipReason();
  if (ns && process.env.MAESTRO_REQUIRE_NETNS === '1') throw new Error(`MAESTRO_REQUIRE_NETNS=1 but ${ns}`);
  return ns ?? pg;
}

/** Build `hosts` hosts and a cluster reachable from all of them, with a fresh database `db`. */
export async function startMultiHost(hosts: number, db = 'maestro'): Promise<MultiHost> {
  const net = createHosts(hosts);
  let cluster: PgCluster | undefined;
  try {
    cluster = await startPgCluster({ listen: [net.gateway] });
    const localUrl = await cluster.createDatabase(db);
    const u = new URL(localUrl);
    u.hostname = net.gateway;
    const c = cluster;
    return {
      net,
      cluster: c,
      hostUrl: u.toString(),
      localUrl,
      async destroy() {
        net.destroy();
        await c.stop();
      },
    };
  } catch (e) {
    net.destroy();
    await cluster?.stop();
    throw e;
  }
}
