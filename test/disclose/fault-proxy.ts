/** Test helper: an HTTP proxy on loopback that injects faults (429 bursts, 5xx, dropped connections). */
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'pass' | 'drop' | { status: number; code: string };

export interface SeenRequest {
  method: string;
  url: string;
  partNumber: number | null;
  fault: Fault;
}

export interface FaultProxy {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** Start a proxy to `upstream`; `plan` decides the fault for each request (n counts from 0). */
export async function startFaultProxy(upstream: string, plan: (req: IncomingMessage, n: number, partNumber: number | null) => Fault): Promise<FaultProxy> {
  const target = new URL(upstream);
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const partNumber = q.has('partNumber') ? Number(q.get('partNumber')) : null;
    const fault = plan(req, seen.length, partNumber);
    seen.push({ method: req.method ?? '', url: req.url ?? '', partNumber, fault });
    if (fault === 'drop') {
      // Take part of the body, then cut the connection mid-request.
      let got = 0;
      req.on('data', (c: Buffer) => {
        got += c.length;
        if (got > 64 * 1024) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      return;
    }
    if (fault !== 'pass') {
      req.resume();
      req.on('end', () => {
        res.writeHead(fault.status, { 'content-type': 'application/xml', connection: 'close' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${fault.code}</Code><Message>injected</Message></Error>`);
      });
      return;
    }
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
