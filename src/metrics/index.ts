/**
 * Prometheus metrics (prom-client registry and text format). Store-derived series are computed at
 * scrape time from the store, so runs and decisions made by any process (local CLI or control plane)
 * count; HTTP request durations are observed in-process.
 * @example
 *   const { text } = await renderMetrics(store); // Prometheus text exposition format
 */
import type { Gauge, Histogram, Registry } from 'prom-client';
import { spentTodayMicros } from '../cost/index.js';
import { policyCacheStats, policyMetrics } from '../policy/packs/index.js';
import { maestroVersion } from '../receipts/index.js';
import { slowestExportSeconds } from '../store/disclosure.js';
import type { Store } from '../store/index.js';
import { executionsByState, exportTotals, startedAfter } from '../store/metrics.js';
import { listTenants } from '../tenancy/index.js';

export const METRIC_NAMES = {
  costEstimate: 'mc_cost_estimate_usd',
  tenantDenies: 'mc_tenant_denies_total',
  policyEval: 'mc_policy_eval_ms',
  executions: 'mc_executions',
  publishToStart: 'mc_publish_to_start_seconds',
  budgetSpent: 'mc_tenant_budget_spent_usd',
  budgetMax: 'mc_tenant_budget_daily_max_usd',
  exportMax: 'mc_disclose_export_seconds_max',
  exports: 'mc_disclose_exports_total',
  exportBytes: 'mc_disclose_export_bytes_total',
  exportSeconds: 'mc_disclose_export_seconds_total',
  http: 'mc_http_request_duration_seconds',
  buildInfo: 'mc_build_info',
  policyCacheHits: 'mc_policy_cache_hits_total',
  policyCacheMisses: 'mc_policy_cache_misses_total',
} as const;

type Labels = Record<string, string | number>;
interface Sample {
  value: number;
  labels: Labels;
  metricName?: string;
}
interface MetricObject {
  name: string;
  help: string;
  type: 'gauge' | 'counter' | 'histogram';
  values: Sample[];
  aggregator: 'sum';
}

const P2S_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];

/** The version in mc_build_info: the package's. */
export const BUILD_VERSION = maestroVersion();
/** Executions fed to the publish-to-start histogram per scrape, at most (batches of 5000). */
const P2S_BATCH = 5000;
const P2S_MAX_BATCHES = 20;

interface State {
  registry: Registry;
  http: Histogram<'method' | 'route' | 'status'>;
  publishToStart: Histogram;
  /** The last execution fed to publishToStart: the histogram only ever grows while the process lives. */
  p2sCursor: { startedAt: string; id: string };
  buildInfo: Gauge<'version' | 'node' | 'platform'>;
}
let state: State | undefined;
let current: Store | undefined;
const pendingHttp: Array<[string, string, number, number]> = [];
/** Requests observed before the first scrape, kept at most (the rest are dropped). */
const MAX_PENDING_HTTP = 10_000;

/** A metric computed from the store at scrape time. */
function storeMetric(name: string, help: string, type: MetricObject['type'], values: (store: Store, tenantName: (id: string) => string) => Sample[]) {
  return {
    name,
    get: async (): Promise<MetricObject> => {
      const store = current;
      const names = new Map(store ? listTenants(store).map((t) => [t.id, t.name] as const) : []);
      return { name, help, type, aggregator: 'sum', values: store ? values(store, (id) => names.get(id) ?? id) : [] };
    },
  };
}

const STORE_METRICS = [
  storeMetric(METRIC_NAMES.executions, 'Executions by tenant and state', 'gauge', (s) =>
    executionsByState(s.db).map((r) => ({ labels: { tenant: r.tenant, state: r.status }, value: r.n })),
  ),
  storeMetric(METRIC_NAMES.costEstimate, 'The latest pre-execution cost estimate a policy decision saw, per tenant, in USD', 'gauge', (s, name) =>
    policyMetrics(s).costEstimateUSD.map((r) => ({ labels: { tenant: name(r.tenant) }, value: r.value })),
  ),
  storeMetric(METRIC_NAMES.tenantDenies, 'Policy denies by tenant and pack', 'counter', (s, name) =>
    policyMetrics(s).deniesTotal.map((r) => ({ labels: { tenant: name(r.tenant), pack: r.pack }, value: r.value })),
  ),
  storeMetric(METRIC_NAMES.policyEval, 'Policy decision time in milliseconds', 'histogram', (s) => {
    const h = policyMetrics(s).evalMs;
    return [
      ...h.buckets.map((b) => ({ metricName: `${METRIC_NAMES.policyEval}_bucket`, labels: { le: b.le }, value: b.count })),
      { metricName: `${METRIC_NAMES.policyEval}_sum`, labels: {}, value: h.sum },
      { metricName: `${METRIC_NAMES.policyEval}_count`, labels: {}, value: h.count },
    ];
  }),
  storeMetric(METRIC_NAMES.budgetSpent, "Spent today per tenant (actuals plus running estimates, in the tenant's day window), USD", 'gauge', (s) =>
    listTenants(s).map((t) => ({ labels: { tenant: t.name }, value: spentTodayMicros(s, t, Date.now()) / 1e6 })),
  ),
  storeMetric(METRIC_NAMES.budgetMax, 'Daily budget cap per tenant, USD', 'gauge', (s) =>
    listTenants(s).map((t) => ({ labels: { tenant: t.name }, value: t.dailyBudgetMicros / 1e6 })),
  ),
  storeMetric(METRIC_NAMES.exports, 'Disclosure packs exported, per tenant', 'counter', (s, name) =>
    exportTotals(s.db).map((r) => ({ labels: { tenant: name(r.tenantId) }, value: r.n })),
  ),
  storeMetric(METRIC_NAMES.exportBytes, 'Bytes of disclosure packs exported, per tenant', 'counter', (s, name) =>
    exportTotals(s.db).map((r) => ({ labels: { tenant: name(r.tenantId) }, value: r.bytes })),
  ),
  storeMetric(METRIC_NAMES.exportSeconds, 'Time spent exporting disclosure packs, per tenant, seconds', 'counter', (s, name) =>
    exportTotals(s.db).map((r) => ({ labels: { tenant: name(r.tenantId) }, value: r.seconds })),
  ),
  storeMetric(METRIC_NAMES.exportMax, 'Slowest disclosure pack export finished in the last 15 minutes, seconds', 'gauge', (s) => [
    { labels: {}, value: slowestExportSeconds(s.db, new Date(Date.now() - 15 * 60_000).toISOString()) },
  ]),
];

/** In-process counters of this server (the warm policy engine's compiled-pack cache). */
const PROCESS_METRICS = [
  { name: METRIC_NAMES.policyCacheHits, help: 'Policy decisions that found a pack compiled in the warm cache (per pack evaluated)', key: 'hits' as const },
  { name: METRIC_NAMES.policyCacheMisses, help: 'Policy decisions that had to compile a pack (per pack evaluated)', key: 'misses' as const },
].map(({ name, help, key }) => ({
  name,
  get: async (): Promise<MetricObject> => ({ name, help, type: 'counter', aggregator: 'sum', values: [{ labels: {}, value: policyCacheStats()[key] }] }),
}));

async function init(store: Store): Promise<State> {
  current = store;
  if (state) return state;
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  const http = new prom.Histogram({
    name: METRIC_NAMES.http,
    help: 'HTTP request durations of the control plane, seconds',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Cumulative since this process started (fed from the store, each execution once): never resets.
  const publishToStart = new prom.Histogram({
    name: METRIC_NAMES.publishToStart,
    help: 'Publish to start latency of executions, seconds (cumulative: every execution started so far)',
    buckets: P2S_BUCKETS,
    registers: [registry],
  });
  const buildInfo = new prom.Gauge({
    name: METRIC_NAMES.buildInfo,
    help: 'Build information; the value is always 1',
    labelNames: ['version', 'node', 'platform'],
    registers: [registry],
  });
  buildInfo.set({ version: BUILD_VERSION, node: process.version, platform: `${process.platform}/${process.arch}` }, 1);
  prom.collectDefaultMetrics({ register: registry });
  // prom-client names these gauges *_total, which `promtool check metrics` rejects; the same counts
  // are in nodejs_active_{handles,requests,resources} (without the suffix).
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  for (const m of STORE_METRICS) registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
  for (const m of PROCESS_METRICS) registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
  state = { registry, http, publishToStart, p2sCursor: { startedAt: '', id: '' }, buildInfo };
  for (const [m, r, st, ms] of pendingHttp.splice(0)) http.observe({ method: m, route: r, status: String(st) }, ms / 1000);
  return state;
}

/** Feeds executions started since the last scrape into the cumulative histogram (bounded per scrape). */
function feedPublishToStart(s: State, store: Store): void {
  for (let i = 0; i < P2S_MAX_BATCHES; i++) {
    const rows = startedAfter(store.db, s.p2sCursor, P2S_BATCH);
    for (const r of rows) s.publishToStart.observe(r.seconds);
    if (rows.length > 0) s.p2sCursor = { startedAt: rows[rows.length - 1]!.startedAt, id: rows[rows.length - 1]!.id };
    if (rows.length < P2S_BATCH) return;
  }
}

/** Record one HTTP request (called by the server's onResponse hook). */
export function observeHttp(method: string, route: string, status: number, ms: number): void {
  if (state) state.http.observe({ method, route, status: String(status) }, ms / 1000);
  else if (pendingHttp.length < MAX_PENDING_HTTP) pendingHttp.push([method, route, status, ms]);
}

/** The Prometheus text exposition of every metric. */
export async function renderMetrics(store: Store): Promise<{ contentType: string; text: string }> {
  const s = await init(store);
  feedPublishToStart(s, store);
  return { contentType: s.registry.contentType, text: await s.registry.metrics() };
}
