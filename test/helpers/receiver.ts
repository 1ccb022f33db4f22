import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from './wait';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** Decides the answer to one request; may write anything to `res` itself. */
export type Responder = (req: ReceivedRequest, res: http.ServerResponse) => unknown;

/**
 * A real HTTP endpoint on 127.0.0.1 that records every request it receives and answers
 * with `respond` (200 "ok" by default).
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  respond: Responder = (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
  };
  /** Connections accepted so far. */
  connectionsAccepted = 0;
  private readonly server: http.Server;
  private readonly waiters = new Set<() => void>();

  private constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received: ReceivedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
          at: Date.now(),
        };
        this.requests.push(received);
        for (const waiter of this.waiters) waiter();
        void Promise.resolve(this.respond(received, res)).catch(() => res.destroy());
      });
    });
    this.server.keepAliveTimeout = 5_000;
    this.server.on('connection', () => this.connectionsAccepted++);
  }

  /**
   * Keeps idle connections open `ms` (5 s by default), and says so in each response's
   * `Keep-Alive: timeout=…`, which undici follows (less a margin).
   */
  keepAlive(ms: number): void {
    this.server.keepAliveTimeout = ms;
  }

  /** How many connections are open now, idle or busy. */
  openConnections(): Promise<number> {
    return new Promise((resolve, reject) =>
      this.server.getConnections((err, count) => (err ? reject(err) : resolve(count))),
    );
  }

  /** From now on, requests wait unanswered until the test answers them. */
  hold(): HeldResponses {
    return new HeldResponses(this);
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Resolves once `count` requests have arrived in total. */
  waitForRequests(count: number, timeoutMs = 60_000): Promise<ReceivedRequest[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.requests.length >= count) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(this.requests);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`received ${this.requests.length} of ${count} requests`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

interface Held {
  req: ReceivedRequest;
  res: http.ServerResponse;
}

/**
 * Responses a test holds back: each request waits, "in flight", until the test answers it
 * (by delivery id, or all at once), or until `open()` answers them and every later one.
 */
export class HeldResponses {
  readonly waiting: Held[] = [];
  /** The most requests held at one time. */
  most = 0;
  private opened = false;

  constructor(private readonly receiver: Receiver) {
    receiver.respond = (req, res) => {
      if (this.opened) return void res.writeHead(200).end('ok');
      this.waiting.push({ req, res });
      this.most = Math.max(this.most, this.waiting.length);
    };
  }

  /** Waits until the request of `deliveryId` is held. */
  waitFor(deliveryId: string, timeoutMs = 20_000): Promise<void> {
    const held = (): boolean =>
      this.waiting.some((h) => h.req.headers['webhook-id'] === deliveryId);
    return until(held, timeoutMs, `the request of ${deliveryId}`);
  }

  /** Answers the held request of `deliveryId`. */
  answer(deliveryId: string, status = 200): void {
    const index = this.waiting.findIndex((h) => h.req.headers['webhook-id'] === deliveryId);
    if (index < 0) throw new Error(`no held request of ${deliveryId}`);
    const [{ res }] = this.waiting.splice(index, 1);
    res.writeHead(status).end(String(status));
  }

  /** Answers every request held now; returns how many. */
  answerAll(status = 200): number {
    const all = this.waiting.splice(0);
    for (const { res } of all) if (!res.destroyed) res.writeHead(status).end(String(status));
    return all.length;
  }

  /** Answers what is held and, from now on, every request at once. */
  open(): void {
    this.opened = true;
    this.answerAll();
  }
}
