/** Child process of the bench: one export or verify, then its own wall time and peak RSS as JSON. */
import { createContext } from '../../src/core/context.js';
import { exportPack, verifyPack } from '../../src/disclose/index.js';

const [op, home, arg, out] = process.argv.slice(2);
const ctx = createContext({ home: home!, env: { ...process.env, MAESTRO_HOME: home! } });
const t0 = performance.now();
const result = op === 'export' ? await exportPack(ctx, { executionId: arg!, output: out! }) : await verifyPack(ctx, arg!);
const seconds = (performance.now() - t0) / 1000;
const ok = op === 'export' ? true : (result as { ok: boolean }).ok;
const summary =
  op === 'export'
    ? { sha256: (result as { sha256: string }).sha256, bytes: (result as { bytes: number }).bytes }
    : { failed: (result as { checks: Array<{ ok: boolean; name: string }> }).checks.filter((c) => !c.ok).map((c) => c.name) };
process.stdout.write(`${JSON.stringify({ op, ok, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024, ...summary })}\n`);
