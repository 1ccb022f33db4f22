import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Scope } from '../tenant/scope';
import { andScope } from '../tenant/scope.sql';

/** A webhook's most recent attempts, tallied (in the order the webhooks were asked for). */
export interface WebhookSuccess {
  webhookId: string;
  /** Attempts looked at: the most recent ones, at most the number asked for. */
  attempts: number;
  successes: number;
  lastAttemptAt: Date | null;
}

/** Attempts of one second with one outcome and one duration. */
export interface AttemptTally {
  /** The start of the second, in epoch ms. */
  at: number;
  success: boolean;
  /** Milliseconds. */
  duration: number;
  n: number;
}

/** The attempts of the seconds asked for, and the database's clock when it read them. */
export interface AttemptTallies {
  /** The end (exclusive, epoch ms) of the seconds read: the start of the second before now. */
  upto: number;
  generatedAt: Date;
  tallies: AttemptTally[];
}

/** What the dashboard's live figures read: attempts by second, each webhook's latest. */
@Injectable()
export class DeliveryStatsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Each webhook's `perWebhook` most recent attempts (along `(webhook_id, created_at)`):
   * how many, how many succeeded, the newest's time. A webhook never tried has zeros, and
   * so has one outside `scope` (its attempts are not counted): it looks like an unknown id.
   */
  async successRates(
    scope: Scope,
    webhookIds: string[],
    perWebhook: number,
  ): Promise<WebhookSuccess[]> {
    const params: unknown[] = [webhookIds, perWebhook];
    // A tenant's scope gates on the webhook's owner (one probe by primary key), not on each
    // attempt's copy of it: another tenant's busy webhook must not cost a scan of its attempts.
    const inScope =
      scope.kind === 'platform'
        ? ''
        : ` AND EXISTS (SELECT 1 FROM webhooks h WHERE h.id = w.id${andScope(scope, 'h.tenant_id', params)})`;
    const rows = await this.dataSource.query<
      { id: string; attempts: number; successes: number; last: Date | null }[]
    >(
      `SELECT w.id, x.attempts, x.successes, x.last
       FROM unnest($1::uuid[]) WITH ORDINALITY AS w(id, n)
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS attempts, count(*) FILTER (WHERE r.success)::int AS successes,
                max(r.created_at) AS last
         FROM (SELECT a.success, a.created_at FROM delivery_attempts a
               WHERE a.webhook_id = w.id${inScope}
               ORDER BY a.created_at DESC, a.id DESC LIMIT $2) r) x
       ORDER BY w.n`,
      params,
    );
    return rows.map((r) => ({
      webhookId: r.id,
      attempts: r.attempts,
      successes: r.successes,
      lastAttemptAt: r.last,
    }));
  }

  /** How many of `webhookIds` (distinct) are webhooks within `scope`. */
  async countInScope(scope: Scope, webhookIds: string[]): Promise<number> {
    const params: unknown[] = [webhookIds];
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM webhooks
       WHERE id = ANY($1::uuid[])${andScope(scope, 'tenant_id', params)}`,
      params,
    );
    return n;
  }

  /**
   * Attempts tallied by second, outcome and duration, from `fromMs` (epoch ms; 0: the whole
   * window) or `windowSeconds` before the end, whichever is later, up to the start of the
   * second before the current one. That newest second is left out: an attempt is stamped
   * with its transaction's start and committed a little later, so it is still filling.
   * The bounds are written out in the WHERE so that partitions are pruned.
   */
  async attemptTallies(windowSeconds: number, fromMs: number): Promise<AttemptTallies> {
    const rows = await this.dataSource.query<
      {
        upto: number;
        generated_at: Date;
        at: number | null;
        success: boolean | null;
        duration: number | null;
        n: number | null;
      }[]
    >(
      `SELECT (extract(epoch FROM date_trunc('second', now()) - interval '1 second') * 1000)::float8
                AS upto,
              now() AS generated_at, x.at, x.success, x.duration, x.n
       FROM (SELECT 1) one
       LEFT JOIN LATERAL (
         SELECT (extract(epoch FROM date_trunc('second', a.created_at)) * 1000)::float8 AS at,
                a.success, a.execution_duration AS duration, count(*)::int AS n
         FROM delivery_attempts a
         WHERE a.created_at >= greatest(
                 date_trunc('second', now()) - interval '1 second' - make_interval(secs => $1),
                 to_timestamp($2::float8 / 1000))
           AND a.created_at < date_trunc('second', now()) - interval '1 second'
         GROUP BY 1, 2, 3) x ON true`,
      [windowSeconds, fromMs],
    );
    const tallies: AttemptTally[] = [];
    for (const r of rows) {
      if (r.at === null || r.n === null || r.duration === null) continue;
      tallies.push({ at: r.at, success: r.success === true, duration: r.duration, n: r.n });
    }
    return { upto: rows[0].upto, generatedAt: rows[0].generated_at, tallies };
  }
}
