/**
 * The namespace tooling itself (test/support/netns.ts): hosts reach the root namespace's bridge address
 * and each other, a killed host loses its processes and its link, and nothing is left behind.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHosts, type Hosts, MAX_HOSTS, netnsSkipReason, sweepStale } from '../support/netns.js';

const reason = netnsSkipReason();
if (reason) console.warn(`test/multihost/netns: skipped: ${reason}`);

/** A node one-liner run inside a host: connect to addr:port, print what the server says. */
const connect = (addr: string, port: number) =>
  `const s=require('net').connect({host:'${addr}',port:${port},timeout:3000});` +
  `s.on('data',d=>{process.stdout.write(d);s.end()});s.on('timeout',()=>{console.error('timeout');process.exit(2)});` +
  `s.on('error',e=>{console.error(e.code);process.exit(3)})`;

const linkExists = (name: string) => spawnSync('ip', ['link', 'show', name], { encoding: 'utf8' }).status === 0;
const nsList = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;

describe.skipIf(reason !== null)('network-namespace hosts', () => {
  let net: Hosts;
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    net = createHosts(3);
    server = createServer((s) => s.end(`hello from root to ${s.remoteAddress}\n`));
    await new Promise<void>((res) => server.listen(0, net.gateway, res));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((res) => server?.close(() => res()));
    net?.destroy();
  });

  it('every host reaches a server on the bridge address, from its own address', async () => {
    for (const h of net.hosts) {
      const r = await h.exec(process.execPath, ['-e', connect(net.gateway, port)]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`hello from root to ${h.addr}\n`);
    }
  });

  it('each host has its own hostname; the machine keeps its own', async () => {
    const mine = spawnSync('hostname', { encoding: 'utf8' }).stdout.trim();
    for (const h of net.hosts) {
      const r = await h.exec('hostname', []);
      expect(r.stdout.trim()).toBe(h.hostname);
      expect(h.hostname).not.toBe(mine);
    }
    expect(spawnSync('hostname', { encoding: 'utf8' }).stdout.trim()).toBe(mine);
  });

  it("hide: a host does not see another host's directory; the machine still does", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-hide-'));
    writeFileSync(join(dir, 'secret'), 'x');
    try {
      const p = net.hosts[0]!.spawn('sh', ['-c', `ls -A '${dir}'; echo end`], { stdio: ['ignore', 'pipe', 'pipe'], hide: [dir] });
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      await new Promise((r) => p.once('close', r));
      expect(out).toBe('end\n');
      expect(readdirSync(dir)).toEqual(['secret']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hosts reach each other; the loopback of one host is not another host', () => {
    const [a, b] = net.hosts;
    const srv = b!.spawn(process.execPath, ['-e', `require('net').createServer(s=>s.end('b\\n')).listen(7411,'0.0.0.0',()=>console.log('up'))`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const up = spawnSync('sleep', ['0.5']);
      expect(up.status).toBe(0);
      expect(a!.run(process.execPath, ['-e', connect(b!.addr, 7411)]).stdout).toBe('b\n');
      // Host a has no listener on its own loopback: the port is b's only.
      expect(a!.run(process.execPath, ['-e', connect('127.0.0.1', 7411)]).stderr.trim()).toBe('ECONNREFUSED');
    } finally {
      srv.kill('SIGKILL');
    }
  });

  it('kill(): every process of the host (and its children) dies, its link goes down, the others keep working', async () => {
    const victim = net.hosts[2]!;
    // A process with a child, as a worker with its sandboxes.
    const p = victim.spawn('sh', ['-c', 'sleep 300 & sleep 300; wait'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    const before = victim.pids();
    expect(before).toContain(p.pid);
    expect(before.length).toBeGreaterThanOrEqual(2);
    const exited = new Promise<NodeJS.Signals | null>((res) => p.once('exit', (_c, sig) => res(sig)));
    const gone = victim.kill();
    expect(gone).toEqual(expect.arrayContaining(before));
    expect(await exited).toBe('SIGKILL');
    expect(victim.pids()).toEqual([]);
    expect(victim.killed).toBe(true);
    const state = spawnSync('ip', ['-j', 'link', 'show', victim.link], { encoding: 'utf8' }).stdout;
    expect(JSON.parse(state)[0].flags).not.toContain('UP');
    // The root namespace can no longer reach the dead host; the others are unaffected.
    const probe = spawnSync(process.execPath, ['-e', connect(victim.addr, 1)], { encoding: 'utf8', timeout: 10_000 });
    expect(probe.status).not.toBe(0);
    expect((await net.hosts[0]!.exec(process.execPath, ['-e', connect(net.gateway, port)])).stdout).toContain(net.hosts[0]!.addr);
  });

  it('rejects a host count outside its bound', () => {
    expect(() => createHosts(0)).toThrow(/n must be 1\.\.16/);
    expect(() => createHosts(MAX_HOSTS + 1)).toThrow(/n must be 1\.\.16, got 17/);
  });
});

describe.skipIf(reason !== null)('cleanup', () => {
  it('destroy() removes namespaces, links and the bridge, and kills what still runs', async () => {
    const net = createHosts(2);
    const p = net.hosts[0]!.spawn('sleep', ['300'], { stdio: 'ignore' });
    const exited = new Promise((res) => p.once('exit', res));
    expect(linkExists(net.bridge)).toBe(true);
    net.destroy();
    net.destroy(); // idempotent
    await exited;
    expect(linkExists(net.bridge)).toBe(false);
    for (const h of net.hosts) {
      expect(linkExists(h.link)).toBe(false);
      expect(nsList()).not.toContain(h.ns);
    }
  });

  it('sweepStale() removes what a killed run left behind, and nothing of a live run', () => {
    const live = createHosts(1);
    const deadPid = spawnSync('true').pid; // reaped already: a pid no live run holds
    const staleNs = `mcnet-${deadPid}-zzzz-h0`;
    spawnSync('ip', ['netns', 'add', staleNs]);
    try {
      expect(nsList()).toContain(staleNs);
      expect(sweepStale()).toBeGreaterThanOrEqual(1);
      expect(nsList()).not.toContain(staleNs);
      expect(nsList()).toContain(live.hosts[0]!.ns);
      expect(linkExists(live.bridge)).toBe(true);
    } finally {
      live.destroy();
      spawnSync('ip', ['netns', 'del', staleNs]);
    }
  });
});
