/**
 * Prometheus metrics (prom-client). Store-derived series are computed at scrape time, so runs made by
 * any process (local CLI or control plane) are counted; HTTP durations are observed in-process.
 * @example
 *   const text = await renderMetrics(store); // Prometheus text exposition format
 */
import type { Histogram, Registry } from 'prom-client';
import type { Store } from '../store/index.js';
import { executionsByState, latestEstimates, publishToStartSeconds } from '../store/metrics.js';

export const METRIC_NAMES = {
  costEstimate: 'mc_cost_estimate_usd',
  tenantDenies: 'mc_tenant_denies_total',
  policyEval: 'mc_policy_eval_ms',
  executions: 'mc_executions',
  publishToStart: 'mc_publish_to_start_seconds',
  http: 'mc_http_request_duration_ms',
} as const;

/** Extra store-derived collectors other rooms register (policy decisions, denies). */
export type MetricsExtension = (registry: Registry, store: Store, promClient: typeof import('prom-client')) => void;
const extensions: MetricsExtension[] = [];
export function registerMetricsExtension(fn: MetricsExtension): void {
  extensions.push(fn);
}

interface State {
  registry: Registry;
  http: Histogram<'method' | 'route' | 'status'>;
  store?: Store;
}
let state: State | undefined;
const pendingHttp: Array<[string, string, number, number]> = [];

async function init(store: Store): Promise<State> {
  if (state) {
    state.store = store;
    return state;
  }
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  const s: State = {
    registry,
    store,
    http: new prom.Histogram({
      name: METRIC_NAMES.http,
      help: 'HTTP request durations of the control plane',
      labelNames: ['method', 'route', 'status'],
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
      registers: [registry],
    }),
  };
  new prom.Gauge({
    name: METRIC_NAMES.executions,
    help: 'Executions by tenant and state',
    labelNames: ['tenant', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      if (s.store) for (const r of executionsByState(s.store.db)) this.set({ tenant: r.tenant, state: r.status }, r.n);
    },
  });
  new prom.Gauge({
    name: METRIC_NAMES.costEstimate,
    help: 'The latest pre-execution cost estimate per tenant, in USD',
    labelNames: ['tenant'],
    registers: [registry],
    collect() {
      this.reset();
      if (s.store) for (const r of latestEstimates(s.store.db)) this.set({ tenant: r.tenant }, r.micros / 1e6);
    },
  });
  new prom.Histogram({
    name: METRIC_NAMES.publishToStart,
    help: 'Latency from publish to start of executions started in the last 24 hours',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
    registers: [registry],
    collect() {
      this.reset();
      if (s.store) for (const v of publishToStartSeconds(s.store.db, new Date(Date.now() - 86_400_000).toISOString())) this.observe(v);
    },
  });
  for (const ext of extensions) ext(registry, store, prom);
  state = s;
  for (const [m, r, st, ms] of pendingHttp.splice(0)) s.http.observe({ method: m, route: r, status: String(st) }, ms);
  return s;
}

/** Record one HTTP request (called by the server's onResponse hook). */
export function observeHttp(method: string, route: string, status: number, ms: number): void {
  if (state) state.http.observe({ method, route, status: String(status) }, ms);
  else pendingHttp.push([method, route, status, ms]);
}

/** The Prometheus text exposition of every metric. */
export async function renderMetrics(store: Store): Promise<{ contentType: string; text: string }> {
  const s = await init(store);
  return { contentType: s.registry.contentType, text: await s.registry.metrics() };
}
