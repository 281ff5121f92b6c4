/**
 * Several "hosts" on one machine: each host is a network namespace with a veth link into a bridge in
 * the root namespace, on a private /24 (10.231.X.0/24, X picked free per run). The root namespace owns
 * the bridge address (.1), so a server the test starts there (e.g. PostgreSQL listening on it) is
 * reachable from every host; host i has the address .(10 + i).
 *
 *   const reason = netnsSkipReason();            // null when root, `ip` and `ip netns add` work
 *   const net = createHosts(3);                   // hosts h0, h1, h2
 *   try { net.hosts[0].spawn(process.execPath, [BIN, 'serve', ...]) } finally { net.destroy() }
 *
 * Names carry the owner's pid (`mcnet-<pid>-<rand>`), so parallel runs never collide and a later run
 * removes what a killed run left behind (`sweepStale`). `destroy()` is idempotent and is also run on
 * process exit.
 */
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'mcnet';
const NETNS_DIR = '/var/run/netns';
const LOCKS = join(tmpdir(), 'maestro-netns-locks');
/** Bounds: at most this many hosts per run, and this many subnets tried before giving up. */
export const MAX_HOSTS = 16;
const MAX_SUBNET_TRIES = 64;

export interface Host {
  /** h0, h1, … */
  readonly name: string;
  /** Network namespace name (ip netns). */
  readonly ns: string;
  /** What `hostname` says inside the host (each process tree gets a UTS namespace with this name). */
  readonly hostname: string;
  /** The host's address on the bridge. */
  readonly addr: string;
  /** Root-side veth of this host (set down by `kill`). */
  readonly link: string;
  /**
   * Start a process inside this host: `nsenter --net=/var/run/netns/<ns> unshare --uts` (hostname set),
   * then exec cmd args (same pid). Only the network and UTS namespaces change: `ip netns exec` would
   * also remount /sys, hiding the cgroup tree the sandbox needs. `hide`: directories this host cannot
   * see (an empty tmpfs over each, in a mount namespace of its own), e.g. another host's state home.
   */
  spawn(cmd: string, args: string[], opts?: SpawnOptions & { hide?: string[] }): ChildProcess;
  /** Run a command inside this host to completion (bounded by timeoutMs, default 30 s). */
  run(
    cmd: string,
    args: string[],
    opts?: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string },
  ): { code: number; stdout: string; stderr: string };
  /** Run a command inside this host to completion without blocking the event loop (bounded likewise). */
  exec(
    cmd: string,
    args: string[],
    opts?: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Pids whose network namespace is this host's (`ip netns pids`). */
  pids(): number[];
  /**
   * Lose the host: SIGKILL every process in it (and their descendants), then its link down. With
   * `cutFirst` the link goes down first: no FIN or RST of the dying processes reaches anyone, as when
   * a host loses its network (or power) mid-conversation.
   */
  kill(opts?: { cutFirst?: boolean }): number[];
  /** True once `kill` ran. */
  readonly killed: boolean;
}

export interface Hosts {
  readonly id: string;
  readonly bridge: string;
  /** The root namespace's address on the bridge (servers started by the test listen here). */
  readonly gateway: string;
  readonly subnet: string;
  readonly hosts: Host[];
  /** Remove every namespace, link and the bridge; kills what still runs in the hosts. Idempotent. */
  destroy(): void;
}

function ip(args: string[], allowFail = false): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 15_000 });
  const out = { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  if (out.code !== 0 && !allowFail) throw new Error(`ip ${args.join(' ')}: exit ${out.code}: ${out.stderr.trim()}`);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let cachedReason: string | null | undefined;
/** Why multi-host tests cannot run here (null when they can): root, `ip`, and a namespace + veth that work. */
export function netnsSkipReason(): string | null {
  if (cachedReason !== undefined) return cachedReason;
  cachedReason = probe();
  return cachedReason;
}

function probe(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add); run as root or in CI';
  const v = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return '`ip` (iproute2) is not installed: apt-get install -y iproute2';
  const e = spawnSync('nsenter', ['--version'], { encoding: 'utf8' });
  if (e.error || e.status !== 0) return '`nsenter` (util-linux) is not installed: apt-get install -y util-linux';
  const ns = `${PREFIX}-${process.pid}-probe`;
  const made = ip(['netns', 'add', ns], true);
  if (made.code !== 0) return `ip netns add failed: ${made.stderr.trim()}`;
  try {
    const veth = ip(['-n', ns, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1'], true);
    if (veth.code !== 0) return `cannot create a veth pair: ${veth.stderr.trim()}`;
    const br = ip(['-n', ns, 'link', 'add', 'b0', 'type', 'bridge'], true);
    if (br.code !== 0) return `cannot create a bridge: ${br.stderr.trim()}`;
    return null;
  } finally {
    ip(['netns', 'del', ns], true);
  }
}

/** Remove namespaces and bridges left by runs whose process is gone (a killed test run). */
export function sweepStale(): number {
  let removed = 0;
  const re = new RegExp(`^${PREFIX}-(\\d+)-`);
  for (const line of ip(['netns', 'list'], true).stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = re.exec(name);
    if (m && !alive(Number(m[1]))) {
      killPids(nsPids(name));
      ip(['netns', 'del', name], true);
      removed++;
    }
  }
  // Bridges carry their owner in the link alias (ifnames are limited to 15 characters).
  const links = JSON.parse(ip(['-j', 'link', 'show', 'type', 'bridge'], true).stdout || '[]') as Array<{ ifname: string; ifalias?: string }>;
  for (const l of links) {
    const m = re.exec(l.ifalias ?? '');
    if (m && !alive(Number(m[1]))) {
      ip(['link', 'del', l.ifname], true);
      removed++;
    }
  }
  if (existsSync(LOCKS))
    for (const f of readdirSync(LOCKS)) {
      let owner = 0;
      try {
        owner = Number.parseInt(readFileSync(join(LOCKS, f, 'pid'), 'utf8'), 10) || 0;
      } catch {
        // a lock being created right now (its pid file not written yet): leave it
        continue;
      }
      if (!owner || !alive(owner)) rmSync(join(LOCKS, f), { recursive: true, force: true });
    }
  return removed;
}

function nsPids(ns: string): number[] {
  return ip(['netns', 'pids', ns], true)
    .stdout.split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Every descendant of the given pids (sandboxes may sit in network namespaces of their own). */
function withDescendants(pids: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out = new Set<number>();
  const stack = [...pids];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (out.has(p)) continue;
    out.add(p);
    stack.push(...(children.get(p) ?? []));
  }
  return [...out];
}

function killPids(pids: number[]): number[] {
  const all = withDescendants(pids);
  // Stop them all first: a parent whose child died before its own SIGKILL arrived could otherwise
  // run on and exit normally (a lost host dies at once, by SIGKILL, every process of it).
  for (const sig of ['SIGSTOP', 'SIGKILL'] as const) {
    for (const p of all) {
      try {
        process.kill(p, sig);
      } catch {
        // already gone
      }
    }
  }
  return all;
}

/** Reserve a free 10.231.X.0/24: not on any local interface, and not held by another live run's lock. */
function reserveSubnet(owner: string): { x: number; release(): void } {
  mkdirSync(LOCKS, { recursive: true });
  const used = ip(['-4', '-o', 'addr', 'show'], true).stdout + ip(['-4', 'route', 'show'], true).stdout;
  for (let i = 0; i < MAX_SUBNET_TRIES; i++) {
    const x = 2 + ((process.pid + i * 37 + Math.floor(Math.random() * 250)) % 250);
    if (used.includes(`10.231.${x}.`)) continue;
    const lock = join(LOCKS, `10.231.${x}`);
    try {
      mkdirSync(lock);
    } catch {
      continue;
    }
    writeFileSync(join(lock, 'pid'), `${process.pid}\n${owner}\n`);
    return { x, release: () => rmSync(lock, { recursive: true, force: true }) };
  }
  throw new Error(`no free 10.231.X.0/24 subnet after ${MAX_SUBNET_TRIES} tries (see ${LOCKS})`);
}

/** Build n hosts (1 ≤ n ≤ MAX_HOSTS). Throws if the machine cannot (check netnsSkipReason first). */
export function createHosts(n: number): Hosts {
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS) throw new Error(`createHosts: n must be 1..${MAX_HOSTS}, got ${n}`);
  sweepStale();
  const rand = Math.random().toString(36).slice(2, 6).padEnd(4, '0');
  const id = `${PREFIX}-${process.pid}-${rand}`;
  const short = `mc${(process.pid % 46_656).toString(36)}${rand}`.slice(0, 10);
  const bridge = `${short}b`;
  const subnet = reserveSubnet(id);
  const base = `10.231.${subnet.x}`;
  const hosts: Host[] = [];
  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    for (const h of hosts) {
      killPids(nsPids(h.ns));
      ip(['netns', 'del', h.ns], true);
      ip(['link', 'del', h.link], true);
    }
    ip(['link', 'del', bridge], true);
    subnet.release();
    process.off('exit', destroy);
  };
  process.on('exit', destroy);
  try {
    // A fixed MAC: otherwise the bridge takes its lowest port's MAC, which changes as hosts come and go
    // and leaves the hosts' ARP entries for the gateway pointing nowhere.
    const mac = `02:4d:43:${hex2(subnet.x)}:${hex2(process.pid & 0xff)}:01`;
    ip(['link', 'add', bridge, 'address', mac, 'type', 'bridge']);
    ip(['link', 'set', bridge, 'alias', id]);
    ip(['addr', 'add', `${base}.1/24`, 'dev', bridge]);
    ip(['link', 'set', bridge, 'up']);
    for (let i = 0; i < n; i++) hosts.push(makeHost(i, `${id}-h${i}`, `${short}h${i}`, bridge, base));
    waitForwarding(bridge, hosts);
  } catch (e) {
    destroy();
    throw e;
  }
  return { id, bridge, gateway: `${base}.1`, subnet: `${base}.0/24`, hosts, destroy };
}

const hex2 = (x: number) => x.toString(16).padStart(2, '0');

/** Block until the bridge is up and every host's port forwards (bounded: 10 s, then throw). */
function waitForwarding(bridge: string, hosts: Host[]): void {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8').trim();
    } catch {
      return '';
    }
  };
  const ready = () => read(`/sys/class/net/${bridge}/operstate`) === 'up' && hosts.every((h) => read(`/sys/class/net/${h.link}/brport/state`) === '3');
  for (let i = 0; i < 200; i++) {
    if (ready()) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  throw new Error(`bridge ${bridge}: its ports did not reach the forwarding state within 10 s`);
}

function makeHost(i: number, ns: string, link: string, bridge: string, base: string): Host {
  const addr = `${base}.${10 + i}`;
  ip(['netns', 'add', ns]);
  ip(['link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`]);
  ip(['link', 'set', `${link}p`, 'netns', ns]);
  ip(['-n', ns, 'link', 'set', `${link}p`, 'name', 'eth0']);
  ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
  ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
  ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  ip(['link', 'set', link, 'master', bridge, 'up']);
  let killed = false;
  // Its own hostname too (a UTS namespace per process tree): maestro names a host by hostname + boot
  // id, so without it every "host" would look like this machine and a lost worker would be reclaimed
  // through /proc instead of by its lease expiring.
  const hostname = `${ns.slice(0, 40)}`;
  const enter = [`--net=${NETNS_DIR}/${ns}`, '--', 'unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', hostname];
  // Its own disk, as far as the given directories go: a private mount namespace with an empty tmpfs
  // over each (another host's state home is not on this host's disk).
  const enterHiding = (dirs: string[]) => [
    `--net=${NETNS_DIR}/${ns}`,
    '--',
    'unshare',
    '--uts',
    '--mount',
    '--propagation',
    'private',
    '--',
    'sh',
    '-c',
    `hostname "$0" && ${dirs.map((d) => `mount -t tmpfs -o size=1m,mode=0700 none '${d.replace(/'/g, '')}'`).join(' && ')} && exec "$@"`,
    hostname,
  ];
  return {
    hostname,
    name: `h${i}`,
    ns,
    addr,
    link,
    get killed() {
      return killed;
    },
    spawn: (cmd, args, opts = {}) => {
      const { hide, ...rest } = opts;
      return spawn('nsenter', [...(hide?.length ? enterHiding(hide) : enter), cmd, ...args], rest);
    },
    run: (cmd, args, opts = {}) => {
      const r = spawnSync('nsenter', [...enter, cmd, ...args], {
        encoding: 'utf8',
        env: opts.env,
        cwd: opts.cwd,
        input: opts.input,
        timeout: opts.timeoutMs ?? 30_000,
      });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
    },
    exec: (cmd, args, opts = {}) =>
      new Promise((resolve) => {
        const child = spawn('nsenter', [...enter, cmd, ...args], { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d) => (stdout = (stdout + String(d)).slice(-1_000_000)));
        child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-1_000_000)));
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
        child.once('close', (code, sig) => {
          clearTimeout(timer);
          resolve({ code: code ?? (sig ? 128 : -1), stdout, stderr });
        });
      }),
    pids: () => nsPids(ns),
    kill: (opts = {}) => {
      killed = true;
      if (opts.cutFirst) ip(['link', 'set', link, 'down'], true);
      const gone = killPids(nsPids(ns));
      ip(['link', 'set', link, 'down'], true);
      return gone;
    },
  };
}
