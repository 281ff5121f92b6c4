/** Escape attempts over the network: with network off, no socket outside AF_UNIX; the host connects. */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbe, inSandbox, onHost, type Probe, unavailableReason } from './helpers.js';

const reason = unavailableReason();

describe.skipIf(reason !== null)(`escape: network${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let p: Probe;
  let server: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    p = buildProbe();
    server = createServer((s) => {
      connections += 1;
      s.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server?.close();
    p?.cleanup();
  });

  it("cannot open a TCP connection to a listener on the host's loopback; the host can", async () => {
    const r = await inSandbox(p, `/workspace/probe tcp 127.0.0.1 ${port}`);
    expect(r.stdout).toBe('errno EPERM');
    expect(connections).toBe(0);
    expect(onHost(p, ['tcp', '127.0.0.1', String(port)])).toBe('ok 0');
    await new Promise((res) => setTimeout(res, 50));
    expect(connections).toBe(1);
  });

  it('even when sockets are allowed (network requested), the host loopback is another namespace... only when asked', async () => {
    // network: true shares the host network on purpose (manifest asks and policy allows): then it connects.
    const r = await inSandbox(p, `/workspace/probe tcp 127.0.0.1 ${port}`, {}, true);
    expect(r.stdout).toBe('ok 0');
  });

  it('cannot send UDP to the host; the host can', async () => {
    const sock = createSocket('udp4');
    let received = 0;
    sock.on('message', () => (received += 1));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const udpPort = sock.address().port;
    try {
      const r = await inSandbox(p, `/workspace/probe udp 127.0.0.1 ${udpPort}`);
      expect(r.stdout).toBe('errno EPERM');
      expect(onHost(p, ['udp', '127.0.0.1', String(udpPort)])).toBe('ok 9');
      await new Promise((res) => setTimeout(res, 100));
      expect(received).toBe(1);
    } finally {
      sock.close();
    }
  });

  it('cannot open a raw socket; root on the host can', async () => {
    const r = await inSandbox(p, '/workspace/probe raw');
    expect(r.stdout).toBe('errno EPERM');
    if (process.getuid?.() === 0) expect(onHost(p, ['raw'])).toMatch(/^ok \d+$/);
  });
});
