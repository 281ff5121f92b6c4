/** Every route of the control plane, in one table. */
import { renderMetrics } from '../metrics/index.js';
import type { RouteDef } from './route.types.js';
import { executionRoutes } from './routes-executions.js';
import { remoteRoutes } from './routes-remote.js';
import { tenancyRoutes } from './routes-tenancy.js';

const metricsRoute: RouteDef = {
  method: 'GET',
  path: '/metrics',
  summary: 'Prometheus metrics',
  tag: 'observability',
  permission: null,
  produces: 'text/plain; version=0.0.4; charset=utf-8',
  schema: {},
  handler: async ({ store }) => (await renderMetrics(store)).text,
};

/** Route tables other rooms add (executions, plan, policy packs) register here. */
const extra: RouteDef[] = [];
export function registerRoutes(routes: RouteDef[]): void {
  extra.push(...routes);
}

export function allRoutes(): RouteDef[] {
  return [...tenancyRoutes, ...executionRoutes, ...remoteRoutes, ...extra, metricsRoute];
}
