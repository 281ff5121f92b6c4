/**
 * One cgroup per task run: memory (+ swap), CPU quota and pids for the whole task tree, and the
 * figures the cost ledger bills (CPU seconds, peak memory) read back from it, so descendants that
 * were reparented or double-forked are counted too. See docs/adr/0017-aggregate-resource-limits.md.
 *
 * Two layouts are detected at run time:
 *   v2: a cgroup2 mount where our cgroup lists memory, cpu and pids and its parent is writable
 *       (a delegated subtree); task cgroups live in <parent>/maestro/<name>;
 *   v1: the memory controller mounted read-write; task cgroups live in <controller>/<our path>/maestro/<name>
 *       for memory, cpu, cpuacct and pids (each where mounted).
 * Names are `t-<engine pid>-<random>`: unique per run, and a stale one (its engine is dead) is swept.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type CgroupVersion = 1 | 2;
export const CGROUP_PARENT = 'maestro';

/** Where task cgroups can be made on this host, or why they cannot. */
export interface CgroupHost {
  version: CgroupVersion;
  /** Parent directories of task cgroups, one per mounted controller hierarchy (v2: exactly one). */
  bases: Record<string, string>;
  /** Controllers that will be limited or read. */
  controllers: string[];
}

export interface CgroupProbe {
  host: CgroupHost | null;
  /** Why no cgroup can be used (null when host is set). */
  reason: string | null;
}

export interface CgroupLimits {
  memoryMB: number;
  /** vCPUs; 0 or less means no quota. */
  cpu: number;
  pids: number;
}

export interface CgroupUsage {
  cpuSec: number | null;
  peakRssMB: number | null;
  /** Processes the kernel killed for reaching the memory limit. */
  oomKills: number;
}

interface Mount {
  root: string;
  point: string;
  fstype: string;
  options: string[];
  superOptions: string[];
}

/** Parses /proc/self/mountinfo lines into cgroup mounts. */
export function parseCgroupMounts(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const [fstype, , superOpts] = right.split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const unescapeOctal = (s: string): string => s.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    out.push({ root: unescapeOctal(f[3]!), point: unescapeOctal(f[4]!), fstype, options: (f[5] ?? '').split(','), superOptions: (superOpts ?? '').split(',') });
  }
  return out;
}

/** Parses /proc/self/cgroup: controller name (or '' for v2) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    if (match[1] === '') m.set('', match[2]!);
    else for (const c of match[1]!.split(',')) m.set(c, match[2]!);
  }
  return m;
}

/** Our cgroup's directory on a mount: the mount shows `root`, we are at `path` (both absolute in the hierarchy). */
function dirOn(mount: Mount, path: string): string | null {
  if (mount.root !== '/' && path !== mount.root && !path.startsWith(`${mount.root}/`)) return null;
  const rel = mount.root === '/' ? path : path.slice(mount.root.length);
  return join(mount.point, rel);
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const V2_NEEDED = ['memory', 'cpu', 'pids'];

function probeV2(mounts: Mount[], own: Map<string, string>): CgroupProbe {
  const m = mounts.find((x) => x.fstype === 'cgroup2');
  const path = own.get('');
  if (!m || path === undefined) return { host: null, reason: 'no cgroup2 mount' };
  const dir = dirOn(m, path);
  if (!dir) return { host: null, reason: 'our cgroup2 path is outside the mounted subtree' };
  const controllers = (readText(join(dir, 'cgroup.controllers')) ?? '').trim().split(/\s+/).filter(Boolean);
  const missing = V2_NEEDED.filter((c) => !controllers.includes(c));
  if (missing.length) return { host: null, reason: `cgroup2 at ${m.point} does not delegate ${missing.join(', ')} to us` };
  // The root of the mount may hold processes and enable controllers; elsewhere our own cgroup holds
  // processes, so task cgroups go beside it (its parent enables the controllers we were given).
  const base = dir === m.point ? dir : dirname(dir);
  if (!writable(base)) return { host: null, reason: `${base} is not writable (no delegated cgroup2 subtree)` };
  return { host: { version: 2, bases: { unified: join(base, CGROUP_PARENT) }, controllers: V2_NEEDED }, reason: null };
}

const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids'];

function probeV1(mounts: Mount[], own: Map<string, string>): CgroupProbe {
  const bases: Record<string, string> = {};
  const controllers: string[] = [];
  for (const c of V1_CONTROLLERS) {
    const m = mounts.find((x) => x.fstype === 'cgroup' && x.superOptions.includes(c));
    const path = own.get(c);
    if (!m || path === undefined || !m.options.includes('rw')) continue;
    const dir = dirOn(m, path);
    if (!dir || !writable(dir)) continue;
    controllers.push(c);
    if (!Object.values(bases).includes(join(dir, CGROUP_PARENT))) bases[c] = join(dir, CGROUP_PARENT);
  }
  if (!controllers.includes('memory')) return { host: null, reason: 'no cgroup v1 memory controller mounted read-write' };
  return { host: { version: 1, bases, controllers }, reason: null };
}

let cached: CgroupProbe | undefined;

/**
 * Detects which cgroup layout this process can use (cached; pass `fresh` to re-read).
 * @example
 *   const { host, reason } = probeCgroups();
 */
export function probeCgroups(fresh = false): CgroupProbe {
  if (cached && !fresh) return cached;
  cached =
    process.env.MAESTRO_CGROUPS === 'off'
      ? { host: null, reason: 'disabled by MAESTRO_CGROUPS=off' }
      : detectCgroups(readText('/proc/self/mountinfo') ?? '', readText('/proc/self/cgroup') ?? '');
  return cached;
}

/** The layout decision from mountinfo and /proc/self/cgroup text: v2 first, then v1. */
export function detectCgroups(mountinfo: string, procCgroup: string): CgroupProbe {
  const mounts = parseCgroupMounts(mountinfo);
  const own = parseProcCgroup(procCgroup);
  const v2 = probeV2(mounts, own);
  if (v2.host) return v2;
  const v1 = probeV1(mounts, own);
  if (v1.host) return v1;
  return { host: null, reason: `${v2.reason}; ${v1.reason}` };
}

/** A live task cgroup. */
export interface TaskCgroup {
  version: CgroupVersion;
  name: string;
  /** The directories made (one per hierarchy). */
  dirs: string[];
  /** cgroup.procs files a launcher writes its pid into before starting the sandbox. */
  procsFiles: string[];
}

function write(file: string, value: string): void {
  writeFileSync(file, value);
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

// Which hierarchy (by its base directory) holds a v1 control file: the same for every task cgroup of
// a base, so it is looked up once per process, not once per task start and usage read.
const v1Holder = new Map<string, boolean>();

// Whether the task cgroup directory `d` has the control file `file` (cached per hierarchy).
function v1Has(d: string, file: string): boolean {
  const key = `${dirname(d)}\0${file}`;
  let has = v1Holder.get(key);
  if (has === undefined) {
    has = existsSync(join(d, file));
    v1Holder.set(key, has);
  }
  return has;
}

/** Directory of `controller` in a v1 task cgroup: its own hierarchy or one it is co-mounted with. */
function v1Dir(cg: TaskCgroup, file: string): string | null {
  return cg.dirs.find((d) => v1Has(d, file)) ?? null;
}

// The bases (maestro's own cgroup per hierarchy) made ready by this process: created, and on v2 with
// the needed controllers enabled. Checked once per process instead of once per task.
const readyBases = new Set<string>();

function readyBase(host: CgroupHost, base: string): void {
  if (readyBases.has(base)) return;
  mkdirSync(base, { recursive: true });
  if (host.version === 2) {
    // Children of base/maestro may only use what its subtree_control enables.
    const have = (readText(join(base, 'cgroup.subtree_control')) ?? '').split(/\s+/);
    const want = V2_NEEDED.filter((c) => !have.includes(c));
    if (want.length) {
      const parentCtl = join(dirname(base), 'cgroup.subtree_control');
      const parentHave = (readText(parentCtl) ?? '').split(/\s+/);
      const parentWant = want.filter((c) => !parentHave.includes(c));
      if (parentWant.length) write(parentCtl, parentWant.map((c) => `+${c}`).join(' '));
      write(join(base, 'cgroup.subtree_control'), want.map((c) => `+${c}`).join(' '));
    }
  }
  readyBases.add(base);
}

const newTaskCgroup = (host: CgroupHost): TaskCgroup => ({
  version: host.version,
  name: `t-${process.pid}-${randomBytes(6).toString('hex')}`,
  dirs: [],
  procsFiles: [],
});

/**
 * Makes the cgroup of one task run and applies its limits, on libuv's thread pool (a cgroup mkdir in
 * three v1 hierarchies and five limit writes were about 7% of a busy server's main thread). Rejects
 * when the host layout is usable but the kernel refuses (the caller decides whether that refuses the
 * run); nothing is left behind then.
 * @example
 *   const cg = await createTaskCgroup(probeCgroups().host!, { memoryMB: 256, cpu: 0.5, pids: 64 });
 */
export async function createTaskCgroup(host: CgroupHost, limits: CgroupLimits): Promise<TaskCgroup> {
  const stocked = takeStocked(host);
  const cg = stocked ?? newTaskCgroup(host);
  try {
    if (!stocked) await makeDirs(host, cg);
    // In order: v1's memsw limit must not be below the memory limit while they change.
    for (const w of limitWrites(cg, limits)) {
      if (!w.optional) await writeFile(w.file, w.value);
      else await writeFile(w.file, w.value).catch(() => undefined);
    }
  } catch (err) {
    readyBases.clear();
    v1Holder.clear();
    removeTaskCgroupNow(cg);
    throw err;
  }
  return cg;
}

// The directories of a new task cgroup, one per hierarchy, made at once; `cg` lists those made.
async function makeDirs(host: CgroupHost, cg: TaskCgroup): Promise<void> {
  const made = await Promise.allSettled(
    Object.values(host.bases).map(async (base) => {
      readyBase(host, base);
      const dir = join(base, cg.name);
      await mkdir(dir);
      return dir;
    }),
  );
  for (const m of made) {
    if (m.status !== 'fulfilled') continue;
    cg.dirs.push(m.value);
    cg.procsFiles.push(join(m.value, 'cgroup.procs'));
  }
  const failed = made.find((m) => m.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * A small stock of empty task cgroups made ahead on libuv's thread pool (ADR 0036), for pools: a
 * cgroup mkdir in three v1 hierarchies was about 7% of a busy server's main thread. A task start
 * takes one when there is one (then only writes its limits) and makes its own otherwise, so the
 * start never waits for the stock. Empty, and named t-<pid>-… like any task cgroup: a sweep removes
 * them once this process is gone, and they are removed at its normal exit.
 */
const STOCK_SIZE = 16;
const stock: { key: string; cgs: TaskCgroup[]; filling: boolean; failedAt: number; enabled: boolean } = {
  key: '',
  cgs: [],
  filling: false,
  failedAt: 0,
  enabled: false,
};

/** Turns the stock on for this process (pools call it; a one-off run makes its cgroup when it needs it). */
export function enableCgroupStock(): void {
  if (stock.enabled) return;
  stock.enabled = true;
  process.once('exit', () => {
    for (const cg of stock.cgs.splice(0)) removeTaskCgroupNow(cg);
  });
}

function stockKey(host: CgroupHost): string {
  return `${host.version}:${Object.values(host.bases).join(',')}`;
}

function takeStocked(host: CgroupHost): TaskCgroup | null {
  if (!stock.enabled) return null;
  const key = stockKey(host);
  if (stock.key !== key) {
    for (const cg of stock.cgs.splice(0)) removeTaskCgroupNow(cg);
    stock.key = key;
  }
  const cg = stock.cgs.pop() ?? null;
  if (!stock.filling && Date.now() - stock.failedAt > 5000) void fillStock(host, key);
  return cg;
}

async function fillStock(host: CgroupHost, key: string): Promise<void> {
  stock.filling = true;
  try {
    while (stock.cgs.length < STOCK_SIZE && stock.key === key && stock.enabled) {
      const cg = newTaskCgroup(host);
      try {
        await makeDirs(host, cg);
      } catch {
        // A start without a stocked cgroup makes (and reports) its own; try the stock again later.
        removeTaskCgroupNow(cg);
        stock.failedAt = Date.now();
        return;
      }
      if (stock.key === key) stock.cgs.push(cg);
      else removeTaskCgroupNow(cg);
    }
  } finally {
    stock.filling = false;
  }
}

/** Names of the empty task cgroups in this process's stock (tests). */
export function cgroupStock(): string[] {
  return stock.cgs.map((cg) => cg.name);
}

// The limit files of a task cgroup and their values, in order (optional ones may be refused).
function limitWrites(cg: TaskCgroup, l: CgroupLimits): Array<{ file: string; value: string; optional?: true }> {
  const bytes = String(Math.max(16, l.memoryMB) * 1024 * 1024);
  const period = 100_000;
  const quota = l.cpu > 0 ? Math.max(1000, Math.round(l.cpu * period)) : -1;
  if (cg.version === 2) {
    const d = cg.dirs[0]!;
    return [
      { file: join(d, 'memory.max'), value: bytes },
      { file: join(d, 'memory.swap.max'), value: '0', optional: true },
      { file: join(d, 'cpu.max'), value: `${quota < 0 ? 'max' : quota} ${period}` },
      { file: join(d, 'pids.max'), value: String(l.pids) },
    ];
  }
  const out: Array<{ file: string; value: string; optional?: true }> = [];
  const mem = v1Dir(cg, 'memory.limit_in_bytes')!;
  out.push({ file: join(mem, 'memory.limit_in_bytes'), value: bytes });
  // memsw counts memory + swap: equal to the memory limit means no swap at all.
  if (v1Has(mem, 'memory.memsw.limit_in_bytes')) out.push({ file: join(mem, 'memory.memsw.limit_in_bytes'), value: bytes });
  out.push({ file: join(mem, 'memory.swappiness'), value: '0', optional: true });
  const cpu = v1Dir(cg, 'cpu.cfs_quota_us');
  if (cpu) {
    out.push({ file: join(cpu, 'cpu.cfs_period_us'), value: String(period) });
    out.push({ file: join(cpu, 'cpu.cfs_quota_us'), value: String(quota) });
  }
  const pids = v1Dir(cg, 'pids.max');
  if (pids) out.push({ file: join(pids, 'pids.max'), value: String(l.pids) });
  return out;
}

/** The controllers a task cgroup actually limits (for the record and doctor). */
export function limitedControllers(cg: TaskCgroup): string[] {
  if (cg.version === 2) return [...V2_NEEDED];
  const out = ['memory'];
  if (v1Dir(cg, 'cpu.cfs_quota_us')) out.push('cpu');
  if (v1Dir(cg, 'pids.max')) out.push('pids');
  return out;
}

function readNumber(file: string | null): number | null {
  if (!file) return null;
  const t = readText(file);
  if (t === null) return null;
  const n = Number(t.trim());
  return Number.isFinite(n) ? n : null;
}

function keyed(file: string | null, key: string): number | null {
  if (!file) return null;
  const t = readText(file);
  const m = t === null ? null : new RegExp(`(?:^|\\n)${key} (\\d+)`).exec(t);
  return m ? Number(m[1]) : null;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * CPU seconds, peak memory and OOM kills of everything that ever ran in the cgroup.
 * @example
 *   const { cpuSec, peakRssMB } = readCgroupUsage(cg);
 */
export function readCgroupUsage(cg: TaskCgroup): CgroupUsage {
  if (cg.version === 2) {
    const d = cg.dirs[0]!;
    const usec = keyed(join(d, 'cpu.stat'), 'usage_usec');
    const peak = readNumber(join(d, 'memory.peak'));
    return {
      cpuSec: usec === null ? null : round3(usec / 1e6),
      peakRssMB: peak === null ? null : round3(peak / 1048576),
      oomKills: keyed(join(d, 'memory.events'), 'oom_kill') ?? 0,
    };
  }
  const acct = v1Dir(cg, 'cpuacct.usage');
  const ns = readNumber(acct ? join(acct, 'cpuacct.usage') : null);
  const mem = v1Dir(cg, 'memory.max_usage_in_bytes');
  const peak = readNumber(mem ? join(mem, 'memory.max_usage_in_bytes') : null);
  const oom = keyed(mem ? join(mem, 'memory.oom_control') : null, 'oom_kill') ?? 0;
  return { cpuSec: ns === null ? null : round3(ns / 1e9), peakRssMB: peak === null ? null : round3(peak / 1048576), oomKills: oom };
}

/** Pids still in the cgroup (any hierarchy). */
export function cgroupPids(cg: TaskCgroup): number[] {
  const pids = new Set<number>();
  for (const d of cg.dirs) for (const p of (readText(join(d, 'cgroup.procs')) ?? '').split('\n')) if (p.trim()) pids.add(Number(p));
  return [...pids];
}

function killAll(cg: TaskCgroup): void {
  // Nothing was made yet (the first mkdir failed): nothing to kill.
  if (cg.dirs.length === 0) return;
  if (cg.version === 2 && tryWrite(join(cg.dirs[0]!, 'cgroup.kill'), '1')) return;
  for (const pid of cgroupPids(cg)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** One attempt: kill what is left, rmdir every directory; true when all are gone. */
function removeTaskCgroupNow(cg: TaskCgroup): boolean {
  killAll(cg);
  let done = true;
  for (const d of cg.dirs) {
    try {
      rmdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') done = false;
    }
  }
  return done;
}

/**
 * Kills whatever is left in the cgroup and removes it, retrying while dying processes leave
 * (bounded: about 5 s). Returns false when a directory is still there (a later sweep removes it).
 */
export async function removeTaskCgroup(cg: TaskCgroup, attempts = 250): Promise<boolean> {
  // Usually the tree is gone by now: rmdir on the thread pool; what is still busy is killed below.
  const left = await Promise.all(
    cg.dirs.map((d) =>
      rmdir(d).then(
        () => false,
        (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
      ),
    ),
  );
  cg.dirs = cg.dirs.filter((_, i) => left[i]);
  if (cg.dirs.length === 0) return true;
  for (let i = 0; i < attempts; i++) {
    if (removeTaskCgroupNow(cg)) return true;
    // Dying processes usually leave within a millisecond or two: poll fast first, then back off.
    await new Promise((r) => setTimeout(r, i < 10 ? 1 : 20));
  }
  return false;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes task cgroups left by engines that died (their pid is gone): kills their processes first.
 * Bounded: at most `limit` cgroups per call. Returns the names removed.
 * @example
 *   sweepStaleCgroups(); // at a process's first sandbox start
 */
export function sweepStaleCgroups(host: CgroupHost | null = probeCgroups().host, limit = 1000): string[] {
  return removeTaskCgroupsWhere(host, limit, (pid) => !alive(pid)).removed;
}

/**
 * Kills the task cgroups of one engine process (named t-<pid>-…): everything its sandboxes started,
 * the launcher included, whatever their command lines say, and removes them (a directory whose
 * processes are still exiting is left to the next sweep). Crash recovery and cancel call it for a
 * runner found dead; nothing is done while the pid is alive (reused). Bounded like sweepStaleCgroups.
 * Returns the names killed.
 * @example killTaskCgroupsOf(4242);
 */
export function killTaskCgroupsOf(pid: number, host: CgroupHost | null = probeCgroups().host, limit = 1000): string[] {
  // A pid already reused by a live process names that process's cgroups, not the dead runner's.
  if (alive(pid)) return [];
  return removeTaskCgroupsWhere(host, limit, (p) => p === pid).killed;
}

// Task cgroups under maestro's bases whose engine pid matches, at most `limit`: killed, then removed.
function removeTaskCgroupsWhere(host: CgroupHost | null, limit: number, match: (pid: number) => boolean): { killed: string[]; removed: string[] } {
  if (!host) return { killed: [], removed: [] };
  const removed: string[] = [];
  const names = new Set<string>();
  for (const base of Object.values(host.bases)) {
    let entries: string[] = [];
    try {
      entries = readdirSync(base);
    } catch {
      continue;
    }
    for (const n of entries) {
      const m = /^t-(\d+)-[0-9a-f]+$/.exec(n);
      if (m && names.size < limit && match(Number(m[1]))) names.add(n);
    }
  }
  for (const name of names) {
    const cg: TaskCgroup = {
      version: host.version,
      name,
      dirs: Object.values(host.bases)
        .map((b) => join(b, name))
        .filter((d) => existsSync(d)),
      procsFiles: [],
    };
    if (removeTaskCgroupNow(cg)) removed.push(name);
  }
  return { killed: [...names], removed };
}
