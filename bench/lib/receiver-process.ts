// A fast webhook endpoint in its own process: plain node:http, 200 OK, keep-alive.
// Controlled over IPC: { delayMs, recordArrivals } on start, 'stats' / 'reset' later.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const delayMs = Number(process.env.RECEIVER_DELAY_MS ?? 0);
const recordArrivals = process.env.RECEIVER_RECORD === '1';
let count = 0;
let first = 0;
let last = 0;
let arrivals: [string, number][] = [];

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const now = Date.now();
    count++;
    if (first === 0) first = now;
    last = now;
    if (recordArrivals) arrivals.push([String(req.headers['webhook-id'] ?? ''), now]);
    const answer = (): void => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2' });
      res.end('ok');
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;
server.maxConnections = 10_000;

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});

process.on('message', (message: string) => {
  if (message === 'stats') process.send?.({ count, first, last, arrivals });
  if (message === 'reset') {
    count = 0;
    first = 0;
    last = 0;
    arrivals = [];
    process.send?.({ reset: true });
  }
});
process.on('disconnect', () => process.exit(0));
