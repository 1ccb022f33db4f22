import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Any fixed number: the key of the advisory lock that one retention run holds. */
const RETENTION_LOCK_KEY = 74_061_314;

/** Rows a batch of deliveries removed: the deliveries, and their attempts that went along. */
export interface RemovedDeliveries {
  deliveries: number;
  attempts: number;
}

/** A finished status: what retention removes of deliveries. */
export type FinishedStatus = 'succeeded' | 'failed';

/** A time as the SQL literal retention's statements compare with (a constant to the planner). */
const literal = (at: Date): string => `'${at.toISOString()}'`;

/** Finished deliveries of `status` created before `cutoff`, by id (along its index). */
const oldDeliveries = (status: FinishedStatus, cutoff: Date): string =>
  `SELECT id FROM deliveries WHERE status = '${status}' AND created_at < ${literal(cutoff)}`;

/**
 * Events created before `cutoff` none of whose deliveries remain; with `dryRun`, none of
 * whose deliveries would remain after the run (those pending or newer are kept).
 */
const oldEvents = (cutoff: Date, dryRun: boolean): string => {
  const kept = dryRun
    ? `d.event_id = e.id AND (d.status = 'pending' OR d.created_at >= ${literal(cutoff)})`
    : `d.event_id = e.id`;
  return `SELECT e.id FROM events e
          WHERE e.created_at < ${literal(cutoff)} AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE ${kept})`;
};

/**
 * What SPEC §8's retention removes, in statements that each take at most `batch` rows that
 * no one holds (SKIP LOCKED), so that API writes and the workers never wait for them; and
 * what a dry run counts instead. The order and the loops are RetentionService's; attempt
 * partitions are AttemptPartitionsRepository's, expired idempotency keys
 * IdempotencyRepository's.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` holding the retention run's session advisory lock, on a connection of
   * its own kept for the while; null at once, without running it, when another run (of
   * any process) holds the lock.
   */
  async exclusively<T>(work: () => Promise<T>): Promise<T | null> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = (await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [
        RETENTION_LOCK_KEY,
      ])) as { locked: boolean }[];
      if (!locked) return null;
      try {
        return await work();
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
      }
    } finally {
      await lock.release();
    }
  }

  /** The cut-off, by the database's clock: now, less `olderThanSeconds`. */
  async cutoff(olderThanSeconds: number): Promise<Date> {
    const [{ cutoff }] = await this.dataSource.query<{ cutoff: Date }[]>(
      `SELECT now() - make_interval(secs => $1) AS cutoff`,
      [olderThanSeconds],
    );
    return cutoff;
  }

  /** Attempts in the DEFAULT partition created before `cutoff` (none had a partition). */
  async countDefaultAttempts(cutoff: Date): Promise<number> {
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM delivery_attempts_default
       WHERE created_at < ${literal(cutoff)}`,
    );
    return n;
  }

  /** Deletes at most `batch` of those attempts; returns how many went. */
  async deleteDefaultAttempts(cutoff: Date, batch: number): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM delivery_attempts_default WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM delivery_attempts_default
         WHERE created_at < ${literal(cutoff)}
         LIMIT $1 FOR UPDATE SKIP LOCKED))`,
      [batch],
    );
    return count;
  }

  /**
   * Finished deliveries of `status` created before `cutoff`, and their attempts that
   * would still be there: not in the partitions `droppedPartitions`, nor old rows of the
   * DEFAULT partition (both go before the deliveries do).
   */
  async countFinishedDeliveries(
    status: FinishedStatus,
    cutoff: Date,
    droppedPartitions: string[],
  ): Promise<RemovedDeliveries> {
    const old = oldDeliveries(status, cutoff);
    const [row] = await this.dataSource.query<RemovedDeliveries[]>(
      `SELECT (SELECT count(*) FROM (${old}) d)::int AS deliveries,
              (SELECT count(*) FROM delivery_attempts a
               WHERE a.delivery_id IN (${old})
                 AND a.tableoid::regclass::text <> ALL ($1::text[])
                 AND NOT (a.tableoid = 'delivery_attempts_default'::regclass
                          AND a.created_at < ${literal(cutoff)}))::int AS attempts`,
      [droppedPartitions],
    );
    return row;
  }

  /**
   * Deletes at most `batch` finished deliveries of `status` created before `cutoff`.
   * Their attempts still there go by the foreign key's cascade, at the end of the same
   * statement, which counts them first: those deliveries are locked and finished, so no
   * attempt of theirs can arrive in between.
   */
  async deleteFinishedDeliveries(
    status: FinishedStatus,
    cutoff: Date,
    batch: number,
  ): Promise<RemovedDeliveries> {
    const [row] = await this.dataSource.query<RemovedDeliveries[]>(
      `WITH doomed AS (${oldDeliveries(status, cutoff)} LIMIT $1 FOR UPDATE SKIP LOCKED),
            gone AS (DELETE FROM deliveries WHERE id IN (SELECT id FROM doomed) RETURNING 1)
       SELECT (SELECT count(*) FROM gone)::int AS deliveries,
              (SELECT count(*) FROM delivery_attempts
               WHERE delivery_id = ANY (ARRAY(SELECT id FROM doomed)))::int AS attempts`,
      [batch],
    );
    return row;
  }

  /**
   * Events created before `cutoff` whose deliveries the run would all remove (pending
   * ones and newer ones stay): what a dry run reports.
   */
  async countOldEvents(cutoff: Date): Promise<number> {
    const [{ n }] = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM (${oldEvents(cutoff, true)}) s`,
    );
    return n;
  }

  /**
   * Deletes at most `batch` events created before `cutoff` none of whose deliveries
   * remain; returns how many it locked (a short batch: none left) and deleted.
   *
   * Deliveries of an event read its payload (stored once, on the event), so an event must
   * never go while a delivery of it is being added: a redelivery holds a key-share lock on
   * the event row until it commits. One transaction first locks the events (skipping
   * those held) and only then, in a new statement whose snapshot sees every copy committed
   * before the lock, deletes those that still have no delivery; a copy that comes after
   * waits for this commit and then finds its event gone (and copies nothing).
   */
  deleteOldEvents(cutoff: Date, batch: number): Promise<{ locked: number; deleted: number }> {
    return this.dataSource.transaction(async (tx) => {
      const ids = (
        await tx.query<{ id: string }[]>(
          `${oldEvents(cutoff, false)} LIMIT $1 FOR UPDATE OF e SKIP LOCKED`,
          [batch],
        )
      ).map((r) => r.id);
      if (ids.length === 0) return { locked: 0, deleted: 0 };
      const [, count] = await tx.query<[unknown, number]>(
        `DELETE FROM events e WHERE e.id = ANY($1::uuid[])
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)`,
        [ids],
      );
      return { locked: ids.length, deleted: count };
    });
  }
}
