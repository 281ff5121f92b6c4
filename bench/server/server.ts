/**
 * bench/server: load on the control plane with autocannon, against a real `maestro serve` process.
 * Reports requests per second and p50/p95/p99 latency for POST /api/plan and GET /api/executions/{id},
 * beside GET /healthz (no auth, no store) measured in the same run as the baseline.
 * Run: npm run build && node dist/bench/server/server.js [seconds] [connections]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 10);
const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
const bin = join(root, 'bin', 'run.js');
const home = join(mkdtempSync(join(tmpdir(), 'mc-bench-server-')), 'h');
const env = { ...process.env, MAESTRO_HOME: home, NO_COLOR: '1' };
const hello = join(root, 'fixtures', 'manifests', 'hello.yaml');

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`maestro ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

async function startServer(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m) ok(m[1]!);
    });
    child.once('exit', (c) => fail(new Error(`serve exited ${c}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(name: string, url: string, opts: { method?: string; body?: string; headers?: Record<string, string> }): Promise<Figures> {
  const { default: autocannon } = await import('autocannon');
  const latencies: number[] = [];
  const instance = autocannon({ url, connections, duration: seconds, method: (opts.method ?? 'GET') as 'GET', body: opts.body, headers: opts.headers });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? NaN;
  return { name, rps: result.requests.average, p50: q(0.5), p95: q(0.95), p99: q(0.99), errors: result.errors, non2xx: result.non2xx };
}

cli(['init']);
const token = readFileSync(join(home, 'token'), 'utf8').trim();
const id = JSON.parse(cli(['run', hello, '--json'])).id as string;
const server = await startServer();
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
try {
  const rows = [
    await load('GET /healthz (baseline)', `${server.url}/healthz`, {}),
    await load('GET /api/executions/{id}', `${server.url}/api/executions/${id}`, { headers: auth }),
    await load('POST /api/plan', `${server.url}/api/plan`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ manifest: readFileSync(hello, 'utf8'), name: 'hello.yaml' }),
    }),
  ];
  const base = rows[0]!;
  console.log(`bench/server: ${seconds}s per endpoint, ${connections} connections, node ${process.version}`);
  console.log('endpoint                      req/s    p50 ms   p95 ms   p99 ms   vs baseline rps   errors/non-2xx');
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(28)} ${r.rps.toFixed(0).padStart(6)} ${r.p50.toFixed(1).padStart(9)} ${r.p95.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${(r.rps / base.rps).toFixed(3).padStart(12)}x ${String(r.errors).padStart(8)}/${r.non2xx}`,
    );
  }
} finally {
  server.stop();
  rmSync(join(home, '..'), { recursive: true, force: true });
}
