import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NOTIFY_WAKEUP_SQL, WAKEUP_CHANNEL } from './wakeup.sql';

/**
 * Wakes the workers after deliveries are committed. NOTIFYs are sent one at a time, each
 * after the commits it announces, and whatever arrives meanwhile is folded into the next
 * one (the earliest due time wins): at most one NOTIFY per round trip, however many
 * deliveries are created, and never inside the creating transaction, where PostgreSQL's
 * notification lock would serialise the commits. A lost wake-up costs latency only: the
 * polling backstop still finds the work.
 */
@Injectable()
export class DeliveryWaker {
  private pendingDueInMs: number | undefined;
  private sending = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Call after the commit of a delivery due in `dueInMs` (0: now). */
  notify(dueInMs: number): void {
    this.pendingDueInMs = Math.min(this.pendingDueInMs ?? Infinity, Math.max(0, dueInMs));
    if (!this.sending) void this.flush();
  }

  private async flush(): Promise<void> {
    this.sending = true;
    try {
      while (this.pendingDueInMs !== undefined) {
        const dueInMs = this.pendingDueInMs;
        this.pendingDueInMs = undefined;
        await this.dataSource
          .query(NOTIFY_WAKEUP_SQL, [WAKEUP_CHANNEL, String(Math.ceil(dueInMs))])
          .catch(() => undefined);
      }
    } finally {
      this.sending = false;
    }
  }
}
