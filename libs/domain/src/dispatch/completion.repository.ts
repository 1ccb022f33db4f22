import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Sql } from '../common/unit-of-work';
import { completionSql, PURGE_EXPIRED_LEASES_SQL } from './completion.sql';
import type { AttemptOutcome } from './dispatch.types';

/**
 * The completion's SQL (completion.sql.ts): outcomes written, fenced by the lease they
 * were claimed with, and the leases of limited webhooks freed with them or, when their
 * worker died, purged.
 */
@Injectable()
export class CompletionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a batch of outcomes in one statement: each attempt row and its delivery's
   * update commit together, and only where the delivery still carries the lease the
   * outcome was claimed with. Outcomes of deliveries deleted or re-leased meanwhile are
   * dropped quietly. Limited deliveries' slots are freed with their outcome; with `heal`,
   * a success resets its webhook's failures in a row. Returns the ids of the deliveries
   * that were recorded, each with its tenant (null: the platform's).
   */
  async complete(
    outcomes: AttemptOutcome[],
    { sql = this.dataSource, heal = false }: { sql?: Sql; heal?: boolean } = {},
  ): Promise<Map<string, string | null>> {
    if (outcomes.length === 0) return new Map();
    const column = <K extends keyof AttemptOutcome>(key: K): AttemptOutcome[K][] =>
      outcomes.map((o) => o[key]);
    const limited = outcomes.filter((o) => o.limited).map((o) => o.deliveryId);
    const rows = await sql.query<{ delivery_id: string; tenant_id: string | null }[]>(
      completionSql({ release: limited.length > 0, heal }),
      [
        column('deliveryId'),
        column('leaseOwner'),
        column('status'),
        column('retryInSeconds'),
        column('attemptId'),
        column('rawRequest'),
        column('rawResponse'),
        column('responseStatusCode'),
        column('executionDuration'),
        column('success'),
        column('error'),
        column('requestBodyOmitted'),
        ...(limited.length === 0 ? [] : [limited]),
      ],
    );
    return new Map(rows.map((r) => [r.delivery_id, r.tenant_id]));
  }

  /**
   * Deletes the webhook_leases rows that ran out over an hour ago
   * (PURGE_EXPIRED_LEASES_SQL), `batch` at a time, until none is left; returns how many.
   */
  async purgeExpiredLeases(batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const [, count] = await this.dataSource.query<[unknown, number]>(PURGE_EXPIRED_LEASES_SQL, [
        batch,
      ]);
      total += count;
      if (count < batch) return total;
    }
  }
}
