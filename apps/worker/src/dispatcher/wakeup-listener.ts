import { Client } from 'pg';
import { WAKEUP_CHANNEL } from '@app/domain';
import type { Logger } from 'pino';

/**
 * LISTENs on its own connection (a pooled one would lose the registration when it goes
 * back to the pool). Payloads are milliseconds until work is due: from DeliveryWaker for
 * new deliveries, 0 from the trigger on a re-activated webhook. A lost connection is re-opened
 * with backoff; `onReconnect` runs after each re-open, since notifications sent while
 * away are lost and a claim pass must catch up.
 */
export class WakeupListener {
  private client: Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  connected = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly onWake: (dueAtMs: number) => void,
    private readonly onReconnect: () => void,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.url,
      application_name: 'postmand-worker-listen',
      keepAlive: true,
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (message) => {
      const dueAt = Number(message.payload);
      this.onWake(Number.isFinite(dueAt) ? dueAt : 0);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${WAKEUP_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    const wasReconnect = this.failures > 0;
    this.client = client;
    this.connected = true;
    this.failures = 0;
    if (wasReconnect) {
      this.logger.info('wake-up listener reconnected');
      this.onReconnect();
    }
  }

  private lost(client: Client, err: Error): void {
    if (this.stopped || (this.client !== undefined && this.client !== client)) return;
    if (this.retryTimer) return; // already scheduled
    this.client = undefined;
    this.connected = false;
    void client.end().catch(() => undefined);
    const delay = Math.min(5_000, 100 * 2 ** this.failures);
    this.failures++;
    this.logger.warn({ err, retryInMs: delay }, 'wake-up listener lost its connection');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
  }
}
