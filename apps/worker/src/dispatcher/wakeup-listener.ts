import { Inject, Injectable } from '@nestjs/common';
import { Client } from 'pg';
import { listenForWakeups } from '@app/domain';
import type { Logger } from 'pino';
import { WORKER_DATABASE_URL, WORKER_LOGGER } from '../worker.tokens';

/** What the listener tells its owner. */
export interface WakeupHandlers {
  /** A notification: work is due in `dueInMs` (0: now). */
  onWake(dueInMs: number): void;
  /** A webhook was re-activated: its backlog is parked, due now. */
  onWebhookActivated(): void;
  /** The connection was re-opened: what was sent meanwhile is lost, so catch up. */
  onReconnect(): void;
}

/**
 * LISTENs on its own connection (a pooled one would lose the registration when it goes
 * back to the pool). Payloads are milliseconds until work is due: from DeliveryWaker for
 * new deliveries; `webhook` from the trigger on a re-activated webhook. A lost connection is re-opened
 * with backoff; `onReconnect` runs after each re-open, since notifications sent while
 * away are lost and a claim pass must catch up.
 */
@Injectable()
export class WakeupListener {
  private handlers: WakeupHandlers | undefined;
  private client: Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  connected = false;

  constructor(
    @Inject(WORKER_DATABASE_URL) private readonly url: string,
    @Inject(WORKER_LOGGER) private readonly logger: Logger,
  ) {}

  async start(handlers: WakeupHandlers): Promise<void> {
    this.handlers = handlers;
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
      if (message.payload === 'webhook') return this.handlers?.onWebhookActivated();
      const dueAt = Number(message.payload);
      this.handlers?.onWake(Number.isFinite(dueAt) ? dueAt : 0);
    });
    try {
      await client.connect();
      await listenForWakeups(client);
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
      this.handlers?.onReconnect();
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
