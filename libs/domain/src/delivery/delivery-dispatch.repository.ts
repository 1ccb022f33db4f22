import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowMapper, type Row } from '../common/rows';
import { Webhook } from '../webhook/webhook.entity';
import { Delivery, type DeliveryStatus } from './delivery.entity';

/** Seconds a lease outlives the attempt timeout: time to record the outcome. */
export const LEASE_MARGIN_SECONDS = 30;

/**
 * Run in the claim's transaction first. The one good plan walks the due index in order
 * and stops after `limit` rows; with thin statistics (a new or never-analysed table) the
 * planner may instead fetch every pending row and sort them. Sorting ruled out, it cannot.
 */
export const CLAIM_SETTINGS = `SET LOCAL enable_sort = off`;

/**
 * Claimable once due, for a row `d`: pending, no live lease, and its webhook active (an
 * inactive webhook's deliveries wait). DUE_NOW adds: scheduled_at reached.
 */
const CLAIMABLE = `d.status = 'pending'
     AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= now())
     AND (SELECT w.active FROM webhooks w WHERE w.id = d.webhook_id)`;
const DUE_NOW = `${CLAIMABLE} AND d.scheduled_at <= now()`;

/** $1 worker id, $2 batch size, $3 lease margin in seconds. */
export const CLAIM_SQL = `WITH due AS (
   -- deliveries alone: joined here, webhooks invited a plan that fetched every
   -- pending row of a webhook and sorted them (60+ ms per claim at 50,000 rows).
   -- A scalar sub-select is never flattened into a join.
   SELECT d.ctid AS row_id, d.webhook_id, d.lease_owner IS NOT NULL AS reclaimed
   FROM deliveries d
   WHERE ${DUE_NOW}
   ORDER BY d.scheduled_at
   LIMIT $2
   FOR UPDATE OF d SKIP LOCKED
 )
 -- The locked rows cannot move before this statement ends, so their ctid finds
 -- them directly (a TID scan), whatever the size of the table.
 UPDATE deliveries d
 SET lease_owner = $1 || '/' || gen_random_uuid(),
     lease_expires_at = now() + make_interval(secs => w.delivery_attempt_timeout + $3)
 FROM due JOIN webhooks w ON w.id = due.webhook_id
 WHERE d.ctid = due.row_id
 -- The delivery's columns as they are; the webhook's with a "webhook__" prefix.
 RETURNING d.id, d.webhook_id, d.payload, d.delivery_attempts, d.lease_owner, due.reclaimed,
           d.event_id, d.event_type,
           w.id AS webhook__id, w.url AS webhook__url, w.content_type AS webhook__content_type,
           w.valid_status_codes AS webhook__valid_status_codes,
           w.secret_token AS webhook__secret_token,
           w.max_delivery_attempts AS webhook__max_delivery_attempts,
           w.delivery_attempt_timeout AS webhook__delivery_attempt_timeout,
           w.retry_min_backoff AS webhook__retry_min_backoff,
           w.retry_max_backoff AS webhook__retry_max_backoff`;

/** A delivery this worker holds a lease on, with what sending it needs from its webhook. */
export interface ClaimedDelivery {
  delivery: Pick<
    Delivery,
    'id' | 'webhookId' | 'payload' | 'deliveryAttempts' | 'eventId' | 'eventType'
  >;
  webhook: Pick<
    Webhook,
    | 'id'
    | 'url'
    | 'contentType'
    | 'validStatusCodes'
    | 'secretToken'
    | 'maxDeliveryAttempts'
    | 'deliveryAttemptTimeout'
    | 'retryMinBackoff'
    | 'retryMaxBackoff'
  >;
  /** Fences the completion: only the holder of this exact lease may record the outcome. */
  leaseOwner: string;
  /** The previous holder's lease had expired: a worker died or stalled mid-attempt. */
  reclaimed: boolean;
}

/** The outcome of one attempt, as the worker hands it back. */
export interface AttemptOutcome {
  deliveryId: string;
  leaseOwner: string;
  attemptId: string;
  /** The delivery's status after this attempt. */
  status: DeliveryStatus;
  /** For a retry: seconds from now (database clock) to the next attempt. */
  retryInSeconds: number | null;
  rawRequest: string;
  rawResponse: string;
  responseStatusCode: number;
  executionDuration: number;
  success: boolean;
  error: string;
}

/**
 * The worker's SQL. Each operation is one statement: the claim locks with SKIP LOCKED
 * and commits before any HTTP call; the completion is fenced by the lease it was given.
 */
@Injectable()
export class DeliveryDispatchRepository {
  private readonly toDelivery: (row: Row) => Delivery;
  private readonly toWebhook: (row: Row) => Webhook;

  constructor(private readonly dataSource: DataSource) {
    this.toDelivery = rowMapper(dataSource, Delivery);
    this.toWebhook = rowMapper(dataSource, Webhook, 'webhook__');
  }

  /**
   * Leases up to `limit` due deliveries, oldest `scheduled_at` first. Due: pending,
   * scheduled, webhook active, and no live lease. SKIP LOCKED lets any number of workers
   * claim side by side without waiting on each other; each lease gets its own token
   * (`owner/uuid`), so even one worker's two claims of a delivery cannot both complete.
   * The lease lasts the webhook's attempt timeout plus a margin: a worker that dies
   * mid-attempt loses nothing, its deliveries are due again when the lease runs out.
   */
  async claim(owner: string, limit: number): Promise<ClaimedDelivery[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(CLAIM_SETTINGS);
      const rows = (await runner.query(CLAIM_SQL, [owner, limit, LEASE_MARGIN_SECONDS])) as [
        Row[],
        number,
      ];
      await runner.commitTransaction();
      return rows[0].map((row) => this.toClaimed(row));
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /**
   * Records a batch of outcomes in one transaction: each attempt row and its delivery's
   * update commit together, and only where the delivery still carries the lease the
   * outcome was claimed with. Outcomes of deliveries deleted or re-leased meanwhile are
   * dropped quietly. Returns the ids of the deliveries that were recorded.
   */
  async complete(outcomes: AttemptOutcome[]): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const column = <K extends keyof AttemptOutcome>(key: K): AttemptOutcome[K][] =>
      outcomes.map((o) => o[key]);
    const rows = await this.dataSource.query<{ delivery_id: string }[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::uuid[],
                              $6::text[], $7::text[], $8::int[], $9::int[], $10::bool[],
                              $11::text[])
           AS t(delivery_id, lease_owner, status, retry_in_seconds, attempt_id, raw_request,
                raw_response, response_status_code, execution_duration, success, error)
       ),
       updated AS (
         UPDATE deliveries d
         SET delivery_attempts = d.delivery_attempts + 1,
             status = i.status,
             scheduled_at = CASE WHEN i.retry_in_seconds IS NULL THEN d.scheduled_at
                                 ELSE now() + make_interval(secs => i.retry_in_seconds) END,
             lease_owner = NULL,
             lease_expires_at = NULL,
             updated_at = now()
         FROM input i
         WHERE d.id = i.delivery_id AND d.lease_owner = i.lease_owner
         RETURNING d.id, d.webhook_id
       )
       INSERT INTO delivery_attempts (id, webhook_id, delivery_id, raw_request, raw_response,
                                      response_status_code, execution_duration, success, error)
       SELECT i.attempt_id, u.webhook_id, u.id, i.raw_request, i.raw_response,
              i.response_status_code, i.execution_duration, i.success, i.error
       FROM updated u JOIN input i ON i.delivery_id = u.id
       RETURNING delivery_id`,
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
      ],
    );
    return new Set(rows.map((r) => r.delivery_id));
  }

  /**
   * The due backlog for metrics, cheaply: deliveries due now and not in flight, counted
   * along the due index up to `cap` (a full count of a huge backlog would cost a scan per
   * scrape), and how long the oldest of them has been due, in seconds.
   */
  async backlog(cap: number): Promise<{ due: number; oldestDueSeconds: number }> {
    const [row] = await this.dataSource.query<{ due: number; oldest: number | null }[]>(
      `SELECT (SELECT count(*)::int FROM (
                 SELECT 1 FROM deliveries d
                 WHERE ${DUE_NOW} LIMIT $1) capped) AS due,
              (SELECT extract(epoch FROM now() - min(d.scheduled_at))::float8
               FROM deliveries d WHERE ${DUE_NOW}) AS oldest`,
      [cap],
    );
    return { due: row.due, oldestDueSeconds: Math.max(0, row.oldest ?? 0) };
  }

  /**
   * Milliseconds (by the database's clock) until the earliest claimable pending delivery
   * is due (a retry or a delayed delivery), read from the due index; 0 or less when one is
   * due already; null when there is none. The worker arms one timer for it.
   *
   * Rows due in the last minute count too: a timer can fire a little early (Node's loop
   * clock lags the wall clock under load), so the claim may find nothing while the row
   * becomes due before this query runs; leaving it out would leave that row to the polling
   * backstop. Leased rows (in flight) and inactive webhooks' rows are not claimable and are
   * left out, or the worker would wake for them again and again.
   */
  async msUntilNextDue(): Promise<number | null> {
    const [row] = await this.dataSource.query<{ ms: string | null }[]>(
      `SELECT ceil(extract(epoch FROM min(d.scheduled_at) - now()) * 1000)::bigint AS ms
       FROM deliveries d
       WHERE ${CLAIMABLE} AND d.scheduled_at > now() - interval '1 minute'`,
    );
    return row?.ms == null ? null : Number(row.ms);
  }

  private toClaimed(row: Row): ClaimedDelivery {
    return {
      delivery: this.toDelivery(row),
      webhook: this.toWebhook(row),
      leaseOwner: row.lease_owner as string,
      reclaimed: row.reclaimed as boolean,
    };
  }
}
