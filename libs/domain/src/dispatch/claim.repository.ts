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
  WALK_STEPS,
} from './claim.sql';
import { Delivery } from '../delivery/delivery.entity';
import type { ClaimedDelivery, ClaimTurn } from './dispatch.types';

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
  return (await connectionOf(runner).query<Row>({ name, text, values })).rows;
}

/** The node-postgres connection a connected runner holds. */
function connectionOf(runner: QueryRunner): PoolClient {
  return (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
}

const MIN_UUID = '00000000-0000-0000-0000-000000000000';
const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * The claim's SQL (claim.sql.ts): it locks with SKIP LOCKED and commits before any HTTP
 * call; the lease it stamps fences the completion (completion.repository.ts). It keeps
 * nothing from one claim to the next: the worker's scheduling state comes in as a
 * ClaimTurn, which the pass reads when it decides and tells what it learns.
 */
@Injectable()
export class ClaimRepository {
  private readonly toDelivery: (row: Row) => Delivery;
  private readonly toWebhook: (row: Row) => Webhook;

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
   * The plain and the limited claim go first as `turn` says (the worker has them take
   * turns, so that neither kind of webhook can take every slot from the other); each
   * takes what the other left of `limit`.
   */
  async claim(owner: string, limit: number, turn: ClaimTurn): Promise<ClaimedDelivery[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const client = connectionOf(runner);
    let open = false;
    try {
      // The transaction's start and its settings in one round trip (simple protocol, two
      // statements): a claim is 3 round trips, not 4 (under load, a claim of ~50 rows
      // every few ms, and each round trip wakes the database and this process).
      open = true;
      await client.query(`START TRANSACTION; ${CLAIM_SETTINGS}`);
      const claimed: ClaimedDelivery[] = [];
      const plain = async (n: number): Promise<void> => {
        if (n > 0) claimed.push(...(await this.claimPlain(runner, owner, n, turn)));
      };
      const limited = async (n: number): Promise<void> => {
        if (n > 0 && (await this.parkedWork(runner, turn))) {
          claimed.push(...(await this.claimLimited(runner, owner, n, turn)));
        }
      };
      if (turn.limitedFirst) {
        await limited(limit);
        await plain(limit - claimed.length);
      } else {
        await plain(limit);
        await limited(limit - claimed.length);
      }
      open = false;
      await client.query('COMMIT');
      return claimed;
    } catch (err) {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  /** The plain claim (CLAIM_SQL): its leases; deliveries it parked are told to `turn`. */
  private async claimPlain(
    runner: QueryRunner,
    owner: string,
    limit: number,
    turn: ClaimTurn,
  ): Promise<ClaimedDelivery[]> {
    const rows = await prepared(runner, 'postmand_claim', CLAIM_SQL, [
      owner,
      limit,
      LEASE_MARGIN_SECONDS,
      turn.walkFrom() ?? MIN_UUID,
      WALK_STEPS,
    ]);
    if (rows.length > 0) turn.walked(rows[0].walk_end as string);
    const leased = rows.filter((row) => row.leased as boolean);
    // Set aside for the limited claim: it runs at once, not after the next look.
    if (leased.length < rows.length) turn.sawParkedWork();
    return leased.map((row) => this.toClaimed(row));
  }

  /**
   * The limited claim (LOCK_LIMITED_SQL, then LIMITED_CLAIM_SQL): its leases; where its
   * round ended and the room it found per webhook are told to `turn`.
   */
  private async claimLimited(
    runner: QueryRunner,
    owner: string,
    limit: number,
    turn: ClaimTurn,
  ): Promise<ClaimedDelivery[]> {
    // Round the marked webhooks from where this worker's last turn ended, then from the
    // start; as many as the batch needs at the room each had last time.
    const round = turn.round();
    const wanted = Math.min(limit, Math.ceil(limit / round.roomPerWebhook) + 2);
    const lock = (n: number, after: string, upTo: string): Promise<Row[]> =>
      prepared(runner, 'postmand_lock_limited', LOCK_LIMITED_SQL, [n, after, upTo]);
    const hooks = await lock(wanted, round.after ?? MIN_UUID, MAX_UUID);
    if (hooks.length < wanted && round.after !== null) {
      hooks.push(...(await lock(wanted - hooks.length, MIN_UUID, round.after)));
    }
    if (hooks.length === 0) return [];
    turn.sawParkedWork();
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
    turn.roundEnded(
      last ?? (hooks[hooks.length - 1].id as string),
      served.size > 0 ? Math.max(1, rows.length / served.size) : 1,
    );
    return rows.map((row) => this.toClaimed(row));
  }

  /**
   * Whether any webhook has parked deliveries: as the worker knows it now (its own
   * claims saw some, or it asked a moment ago), else the database is asked
   * (PARKED_WORK_SQL, one cheap index probe) and the answer told to `turn`.
   */
  private async parkedWork(runner: QueryRunner, turn: ClaimTurn): Promise<boolean> {
    const known = turn.parkedWork();
    if (known !== undefined) return known;
    const askedAt = Date.now();
    const [{ parked }] = (await runner.query(PARKED_WORK_SQL)) as { parked: boolean }[];
    turn.askedParkedWork(askedAt, parked);
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
