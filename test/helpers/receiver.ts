import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

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
  waitForRequests(count: number, timeoutMs = 20_000): Promise<ReceivedRequest[]> {
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

/** Polls `probe` until it returns a value other than undefined, or fails after the deadline. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
