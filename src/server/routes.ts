/** Every route of the control plane, in one table. */
import { AuthError } from '../core/errors.js';
import { renderMetrics } from '../metrics/index.js';
import { isPlatformAdmin } from '../tenancy/index.js';
import type { RouteDef } from './route.types.js';
import { executionRoutes } from './routes-executions.js';
import { remoteRoutes } from './routes-remote.js';
import { tenancyRoutes } from './routes-tenancy.js';

const metricsRoute: RouteDef = {
  method: 'GET',
  path: '/metrics',
  summary: 'Prometheus metrics (every tenant): needs the metrics permission in the default tenant (ADR 0023)',
  tag: 'observability',
  permission: 'metrics',
  produces: 'text/plain; version=0.0.4; charset=utf-8',
  schema: {},
  handler: async ({ session, store }) => {
    if (!isPlatformAdmin(store, session.identity)) {
      throw new AuthError(
        'PERMISSION_DENIED',
        `/metrics shows every tenant: it needs the metrics permission in the "default" tenant; ${session.identity.subject} is ${session.identity.role} in "${session.identity.tenantName}"`,
        {
          hint: 'scrape with a token of an admin of the default tenant (maestro login --print)',
        },
      );
    }
    return (await renderMetrics(store)).text;
  },
};

/** Route tables other rooms add (executions, plan, policy packs) register here. */
const extra: RouteDef[] = [];
export function registerRoutes(routes: RouteDef[]): void {
  extra.push(...routes);
}

export function allRoutes(): RouteDef[] {
  return [...tenancyRoutes, ...executionRoutes, ...remoteRoutes, ...extra, metricsRoute];
}
