// An in-process HTTP(S) server whose answers each test scripts, recording every request it receives.
// It stands in for registries and token services that cannot run here ("scripted registry" in test names).
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Recorded {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export interface Scripted {
  /** "127.0.0.1:<port>" */
  host: string;
  port: number;
  origin: string;
  requests: Recorded[];
  close(): Promise<void>;
}

export async function startScripted(handler: Handler, tls?: { key: string; cert: string }): Promise<Scripted> {
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const listener = (req: http.IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(rec);
      Promise.resolve(handler(rec, res)).catch((e: unknown) => {
        if (!res.headersSent) send(res, 500, String(e));
      });
    });
  };
  const server = tls === undefined ? http.createServer(listener) : https.createServer({ key: tls.key, cert: tls.cert }, listener);
  server.on(tls === undefined ? 'connection' : 'secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    origin: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function send(res: ServerResponse, status: number, body: string | Uint8Array = '', headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  res.writeHead(status, { 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
}

/** A distribution error body: {"errors":[{"code","message"}]}. */
export function sendError(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ code, message: code.toLowerCase(), detail: {} }] }, headers);
}
