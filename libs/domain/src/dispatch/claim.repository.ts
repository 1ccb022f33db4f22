import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { rowMapper, type Row } from '../common/rows';
import { Webhook } from '../webhook/webhook.entity';
import {
  CLAIM_SETTINGS,
  CLAIM_SQL,
  LEASE_MARGIN_SECONDS,
  LIMITED_CLAIM_SQL,
  LOCK_LIMITED_SQL,
  NEXT_DUE_SQL,
  PARKED_WORK_SQL,
} from './claim.sql';
import { Delivery } from '../delivery/delivery.entity';
import type { ClaimedDelivery } from './dispatch.types';

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
 * The claim's SQL (claim.sql.ts): it locks with SKIP LOCKED and commits before any HTTP
 * call; the lease it stamps fences the completion (completion.repository.ts).
 */
@Injectable()
export class ClaimRepository {
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
