import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export const TEN_MB = 10 * 1024 * 1024;

/** Endpoints that misbehave in every way a real one has been seen to. */
export async function faultyServers(): Promise<{ urls: Record<string, string>; close(): void }> {
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  const listen = async (server: net.Server): Promise<string> => {
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  };
  const onBody = (handler: (res: http.ServerResponse) => void) =>
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => handler(res));
    });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const urls = {
    reset: await listen(
      onBody((res) => {
        res.writeHead(200, { 'Content-Length': '1000' });
        res.write('partial');
        setTimeout(() => res.socket?.resetAndDestroy(), 20);
      }),
    ),
    silent: await listen(net.createServer(() => undefined)),
    trickle: await listen(
      onBody((res) => {
        res.writeHead(200);
        const timer = setInterval(() => res.write('.'), 100);
        res.on('close', () => clearInterval(timer));
      }),
    ),
    huge: await listen(
      onBody((res) => {
        res.writeHead(200, { 'Content-Length': String(TEN_MB) });
        let sent = 0;
        const pump = (): void => {
          while (sent < TEN_MB) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      }),
    ),
    // A certificate no CA signed (test/fixtures, valid for a century).
    untrustedTls: (
      await listen(
        https.createServer(
          {
            key: fs.readFileSync(path.join(__dirname, '../fixtures/self-signed.key')),
            cert: fs.readFileSync(path.join(__dirname, '../fixtures/self-signed.crt')),
          },
          (_req, res) => res.writeHead(200).end('ok'),
        ),
      )
    ).replace('http:', 'https:'),
    binary: await listen(
      onBody((res) => {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        res.end(Buffer.from([0x6f, 0x6b, 0x00, 0xff, 0xfe, 0xc3, 0x28, 0x0a]));
      }),
    ),
  };
  return {
    urls,
    close: () => {
      for (const socket of sockets) socket.destroy();
      for (const server of servers) server.close();
    },
  };
}
