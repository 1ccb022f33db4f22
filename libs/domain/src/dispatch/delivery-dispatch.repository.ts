import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { rowMapper, type Row } from '../common/rows';
import type { Sql } from '../common/unit-of-work';
import { Webhook } from '../webhook/webhook.entity';
import {
  CLAIM_SETTINGS,
  CLAIM_SQL,
  DUE_NOW,
  PARKED_DUE_NOW,
  LEASE_MARGIN_SECONDS,
  LIMITED_CLAIM_SQL,
  LOCK_LIMITED_SQL,
  NEXT_DUE_SQL,
  PARKED_WORK_SQL,
  unleased,
} from './claim.sql';
import { Delivery } from '../delivery/delivery.entity';
import type { AttemptOutcome, ClaimedDelivery } from './dispatch.types';

/**
 * Runs a claim statement as a named prepared statement of the runner's connection: the
 * limited claim took 2.3 ms to plan and 2.6 ms to run, and was planned for every claim.
 * Each connection plans it on first use, inside a claim transaction (so with its
 * settings), and keeps the plan.
 */
async function prepared(
  runner: QueryRunner,
  name: string,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
  return (await client.query<Row>({ name, text, values })).rows;
}

const MIN_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** How long a worker trusts its last look for parked work (PARKED_WORK_SQL). */
const PARKED_WORK_TTL_MS = 1000;

/**
 * The worker's SQL. The claim locks with SKIP LOCKED and commits before any HTTP call;
 * the completion is fenced by the lease it was given.
 */
@Injectable()
export class DeliveryDispatchRepository {
  private readonly toDelivery: (row: Row) => Delivery;
  private readonly toWebhook: (row: Row) => Webhook;
  private limitedFirst = false;
  /** Where this worker's next turn round the marked webhooks starts (an id, exclusive). */
  private turnAfter = MIN_UUID;
  /** Deliveries per webhook the last limited claim took: how many webhooks to lock. */
  private roomPerWebhook = 1;
  /** When parked work was last known to exist, and when it was last asked for. */
  private parkedSeenAt = 0;
  private parkedCheckedAt = 0;

  constructor(private readonly dataSource: DataSource) {
    this.toDelivery = rowMapper(dataSource, Delivery);
    this.toWebhook = rowMapper(dataSource, Webhook, 'webhook__');
  }

  /**
   * Leases up to `limit` due deliveries. Due: pending, scheduled, webhook active, no live
   * lease, and room in the webhook's limits (claim.sql.ts). SKIP LOCKED lets any number
   * of workers claim side by side without waiting on each other; each lease gets its own
   * token (`owner/uuid`), so even one worker's two claims of a delivery cannot both
   * complete. The lease lasts the webhook's attempt timeout plus a margin: a worker that
   * dies mid-attempt loses nothing, its deliveries are due again when the lease runs out.
   *
   * The plain and the limited claim go first in turn, so that neither kind of webhook
   * can take every slot from the other; each takes what the other left of `limit`.
   */
  async claim(owner: string, limit: number): Promise<ClaimedDelivery[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(CLAIM_SETTINGS);
      this.limitedFirst = !this.limitedFirst;
      const claimed: ClaimedDelivery[] = [];
      const plain = async (n: number): Promise<void> => {
        if (n > 0) claimed.push(...(await this.claimPlain(runner, owner, n)));
      };
      const limited = async (n: number): Promise<void> => {
        if (n > 0 && (await this.parkedWork(runner))) {
          claimed.push(...(await this.claimLimited(runner, owner, n)));
        }
      };
      if (this.limitedFirst) {
        await limited(limit);
        await plain(limit - claimed.length);
      } else {
        await plain(limit);
        await limited(limit - claimed.length);
      }
      await runner.commitTransaction();
      return claimed;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async claimPlain(
    runner: QueryRunner,
    owner: string,
    limit: number,
  ): Promise<ClaimedDelivery[]> {
    const rows = await prepared(runner, 'postmand_claim', CLAIM_SQL, [
      owner,
      limit,
      LEASE_MARGIN_SECONDS,
    ]);
    const leased = rows.filter((row) => row.leased as boolean);
    // Set aside for the limited claim: it runs at once, not after the next look.
    if (leased.length < rows.length) this.parkedSeenAt = Date.now();
    return leased.map((row) => this.toClaimed(row));
  }

  private async claimLimited(
    runner: QueryRunner,
    owner: string,
    limit: number,
  ): Promise<ClaimedDelivery[]> {
    // Round the marked webhooks from where this worker's last turn ended, then from the
    // start; as many as the batch needs at the room each had last time.
    const wanted = Math.min(limit, Math.ceil(limit / this.roomPerWebhook) + 2);
    const lock = (n: number, after: string, upTo: string): Promise<Row[]> =>
      prepared(runner, 'postmand_lock_limited', LOCK_LIMITED_SQL, [n, after, upTo]);
    const hooks = await lock(wanted, this.turnAfter, MAX_UUID);
    if (hooks.length < wanted && this.turnAfter !== MIN_UUID) {
      hooks.push(...(await lock(wanted - hooks.length, MIN_UUID, this.turnAfter)));
    }
    if (hooks.length === 0) return [];
    this.parkedSeenAt = Date.now();
    const rows = await prepared(runner, 'postmand_limited_claim', LIMITED_CLAIM_SQL, [
      owner,
      limit,
      LEASE_MARGIN_SECONDS,
      hooks.map((h) => h.id as string),
    ]);
    const served = new Set(rows.map((row) => row.webhook_id as string));
    const last = hooks
      .map((h) => h.id as string)
      .filter((id) => served.has(id))
      .pop();
    this.turnAfter = last ?? (hooks[hooks.length - 1].id as string);
    this.roomPerWebhook = served.size > 0 ? Math.max(1, rows.length / served.size) : 1;
    return rows.map((row) => this.toClaimed(row));
  }

  /** The next claim looks for parked work whatever it saw last (a webhook re-activated). */
  lookForParkedWork(): void {
    this.parkedCheckedAt = 0;
  }

  /**
   * Whether any webhook has parked deliveries: asked at most once a second (one cheap
   * index probe), and known at once when this worker's own plain claim parked some.
   */
  private async parkedWork(runner: QueryRunner): Promise<boolean> {
    const now = Date.now();
    if (now - this.parkedSeenAt < PARKED_WORK_TTL_MS) return true;
    if (now - this.parkedCheckedAt < PARKED_WORK_TTL_MS) return false;
    const [{ parked }] = (await runner.query(PARKED_WORK_SQL)) as { parked: boolean }[];
    this.parkedCheckedAt = now;
    if (parked) this.parkedSeenAt = now;
    return parked;
  }

  /**
   * Records a batch of outcomes in one transaction: each attempt row and its delivery's
   * update commit together, and only where the delivery still carries the lease the
   * outcome was claimed with. Outcomes of deliveries deleted or re-leased meanwhile are
   * dropped quietly. Limited deliveries' slots are freed with their outcome. Returns the
   * ids of the deliveries that were recorded.
   */
  async complete(
    outcomes: AttemptOutcome[],
    { sql = this.dataSource, heal = false }: { sql?: Sql; heal?: boolean } = {},
  ): Promise<Set<string>> {
    if (outcomes.length === 0) return new Set();
    const column = <K extends keyof AttemptOutcome>(key: K): AttemptOutcome[K][] =>
      outcomes.map((o) => o[key]);
    // Limited deliveries free their slot with their outcome (their webhook_leases row).
    const limited = outcomes.filter((o) => o.limited).map((o) => o.deliveryId);
    const release =
      limited.length === 0
        ? ''
        : `, released AS (
         DELETE FROM webhook_leases
         WHERE delivery_id = ANY($13::uuid[]) AND delivery_id IN (SELECT id FROM updated)
       )`;
    // A success resets its webhook's count of failures in a row, even when the webhook
    // was healthy at claim time and other workers' failures came in since (the batches
    // that apply the circuit breaker do this themselves). No write when it is healthy.
    const healing = heal
      ? `, healed AS (
         UPDATE webhooks w SET consecutive_failures = 0, failing_since = NULL
         FROM (SELECT h.id FROM webhooks h
               WHERE h.id IN (SELECT u.webhook_id FROM updated u
                              JOIN input i ON i.delivery_id = u.id WHERE i.success)
                 AND h.consecutive_failures > 0 AND h.circuit_open_until IS NULL
               ORDER BY h.id
               FOR NO KEY UPDATE) h
         WHERE w.id = h.id
       )`
      : '';
    const rows = await sql.query<{ delivery_id: string }[]>(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::uuid[],
                              $6::text[], $7::text[], $8::int[], $9::int[], $10::bool[],
                              $11::text[], $12::bool[])
           AS t(delivery_id, lease_owner, status, retry_in_seconds, attempt_id, raw_request,
                raw_response, response_status_code, execution_duration, success, error,
                request_body_omitted)
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
       )${release}${healing}
       INSERT INTO delivery_attempts (id, webhook_id, delivery_id, raw_request, raw_response,
                                      response_status_code, execution_duration, success, error,
                                      request_body_omitted)
       SELECT i.attempt_id, u.webhook_id, u.id, i.raw_request, i.raw_response,
              i.response_status_code, i.execution_duration, i.success, i.error,
              i.request_body_omitted
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
        column('requestBodyOmitted'),
        ...(limited.length === 0 ? [] : [limited]),
      ],
    );
    return new Set(rows.map((r) => r.delivery_id));
  }

  /**
   * Deletes webhook_leases rows that ran out over an hour ago (their worker died, and the
   * delivery was finished another way); they no longer count, this only keeps the table
   * small. Batches that skip rows another worker is deleting.
   */
  async purgeExpiredLeases(batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const [, count] = await this.dataSource.query<[unknown, number]>(
        `DELETE FROM webhook_leases WHERE delivery_id IN (
           SELECT delivery_id FROM webhook_leases WHERE expires_at <= now() - interval '1 hour'
           LIMIT $1 FOR UPDATE SKIP LOCKED)`,
        [batch],
      );
      total += count;
      if (count < batch) return total;
    }
  }

  /**
   * The due backlog for metrics, cheaply: deliveries due now and not in flight, counted
   * along the due index up to `cap` (a full count of a huge backlog would cost a scan per
   * scrape), and how long the oldest of them has been due, in seconds.
   */
  async backlog(cap: number): Promise<{
    due: number;
    oldestDueSeconds: number;
    openCircuits: number;
    disabledWebhooks: number;
  }> {
    const [row] = await this.dataSource.query<
      { due: number; oldest: number | null; open: number; disabled: number }[]
    >(
      `SELECT (SELECT count(*)::int FROM (
                 SELECT 1 FROM deliveries d WHERE ${DUE_NOW} LIMIT $1) capped)
              + (SELECT count(*)::int FROM (
                 SELECT 1 FROM deliveries d WHERE ${PARKED_DUE_NOW} LIMIT $1) capped) AS due,
              (SELECT extract(epoch FROM now() - least(
                 (SELECT min(d.scheduled_at) FROM deliveries d WHERE ${DUE_NOW}),
                 -- Each marked webhook's oldest parked due delivery, through the index.
                 (SELECT min(x.scheduled_at) FROM webhooks w
                  CROSS JOIN LATERAL (
                    SELECT d.scheduled_at FROM deliveries d
                    WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.parked
                      AND d.scheduled_at <= now() AND ${unleased()}
                    ORDER BY d.scheduled_at LIMIT 1) x
                  WHERE w.parked AND w.active)
               ))::float8) AS oldest,
              w.open, w.disabled
       FROM (SELECT count(*) FILTER (WHERE circuit_open_until IS NOT NULL)::int AS open,
                    count(*) FILTER (WHERE NOT active AND disabled_reason IS NOT NULL)::int
                      AS disabled
             FROM webhooks) w`,
      [cap],
    );
    return {
      due: Math.min(cap, row.due),
      oldestDueSeconds: Math.max(0, row.oldest ?? 0),
      openCircuits: row.open,
      disabledWebhooks: row.disabled,
    };
  }

  /** When there is work next (NEXT_DUE_SQL), in ms from now; null when none is known. */
  async msUntilNextDue(): Promise<number | null> {
    const [row] = await this.dataSource.query<{ ms: string | null }[]>(NEXT_DUE_SQL);
    return row?.ms == null ? null : Number(row.ms);
  }

  private toClaimed(row: Row): ClaimedDelivery {
    return {
      delivery: this.toDelivery(row),
      webhook: this.toWebhook(row),
      leaseOwner: row.lease_owner as string,
      reclaimed: row.reclaimed as boolean,
      limited: row.limited as boolean,
    };
  }
}
