import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  attemptPartitions,
  dropAttemptPartition,
  ensureAttemptPartitions,
} from './attempt-partitions';

/** The tables retention removes rows from, as `postmand_retention_deleted_total` labels them. */
export const RETENTION_TABLES = [
  'delivery_attempts',
  'deliveries',
  'events',
  'idempotency_keys',
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

export interface RetentionReport {
  /** Rows older than this were removed (or would be, on a dry run). */
  cutoff: Date;
  dryRun: boolean;
  /** Rows removed (or that would be) per table. */
  deleted: Record<RetentionTable, number>;
  /** Attempt partitions dropped whole (or that would be). */
  droppedPartitions: string[];
  /**
   * Why making today's and the days' ahead partitions failed, when it did (their tables
   * stayed busy): the rest of the run went on, and the next upkeep tries again.
   */
  partitionsFailure?: string;
}

/** Rows deleted per transaction (SPEC §8: at most 10,000). */
export const RETENTION_BATCH = 10_000;

/** Any fixed number: the key of the advisory lock that one retention run holds. */
const RETENTION_LOCK_KEY = 74_061_314;

/**
 * SPEC §8's retention: what is older than the cut-off leaves, pending deliveries never.
 * Attempts leave by whole daily partitions (a partition goes once its last day is past
 * the cut-off; the legacy partition once its bound is); finished deliveries (with the
 * attempts and leases that reference them), events none of whose deliveries remain,
 * and expired idempotency keys leave in batches of at most 10,000 rows per transaction,
 * each batch taking rows no one holds (SKIP LOCKED), so that API writes and the workers
 * never wait for it. One run at a time across all processes: a run that finds another
 * one going returns null at once.
 */
@Injectable()
export class RetentionService {
  constructor(private readonly dataSource: DataSource) {}

  async run(options: {
    olderThanSeconds: number;
    dryRun?: boolean;
    batch?: number;
  }): Promise<RetentionReport | null> {
    const dryRun = options.dryRun ?? false;
    const batch = Math.min(options.batch ?? RETENTION_BATCH, RETENTION_BATCH);
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = (await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [
        RETENTION_LOCK_KEY,
      ])) as { locked: boolean }[];
      if (!locked) return null;
      try {
        const [{ cutoff }] = await this.dataSource.query<{ cutoff: Date }[]>(
          `SELECT now() - make_interval(secs => $1) AS cutoff`,
          [options.olderThanSeconds],
        );
        const report: RetentionReport = {
          cutoff,
          dryRun,
          deleted: { delivery_attempts: 0, deliveries: 0, events: 0, idempotency_keys: 0 },
          droppedPartitions: [],
        };
        if (!dryRun) {
          // Without them attempts still land (in the DEFAULT partition): not a reason to
          // keep old rows.
          await ensureAttemptPartitions(this.dataSource).catch((err: Error) => {
            report.partitionsFailure = err.message;
          });
        }
        await this.attempts(report, batch);
        await this.deliveries(report, batch);
        report.deleted.events = await this.events(cutoff, dryRun, batch);
        report.deleted.idempotency_keys = await this.batches(
          dryRun,
          batch,
          `SELECT scope, key FROM idempotency_keys WHERE expires_at <= now()`,
          `DELETE FROM idempotency_keys WHERE (scope, key) IN (
             SELECT scope, key FROM idempotency_keys WHERE expires_at <= now()
             LIMIT $1 FOR UPDATE SKIP LOCKED)`,
        );
        return report;
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
      }
    } finally {
      await lock.release();
    }
  }

  /** Whole partitions past the cut-off, then old rows that landed in the DEFAULT one. */
  private async attempts(report: RetentionReport, batch: number): Promise<void> {
    for (const p of await attemptPartitions(this.dataSource)) {
      if (p.isDefault || p.to! > report.cutoff) continue;
      report.deleted.delivery_attempts += report.dryRun
        ? (
            await this.dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${p.name}`)
          )[0].n
        : await dropAttemptPartition(this.dataSource, p.name);
      report.droppedPartitions.push(p.name);
    }
    report.deleted.delivery_attempts += await this.batches(
      report.dryRun,
      batch,
      `SELECT 1 FROM delivery_attempts_default WHERE created_at < '${report.cutoff.toISOString()}'`,
      `DELETE FROM delivery_attempts_default WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM delivery_attempts_default
         WHERE created_at < '${report.cutoff.toISOString()}'
         LIMIT $1 FOR UPDATE SKIP LOCKED))`,
    );
  }

  /**
   * Finished deliveries created before the cut-off, by status, along its index. Their
   * attempts still there (in partitions not dropped) go by the foreign key's cascade, at
   * the end of the same statement, which counts them first: those deliveries are locked
   * and finished, so no attempt of theirs can arrive in between. A dry run counts the
   * attempts of those deliveries that the steps before would not have removed.
   */
  private async deliveries(report: RetentionReport, batch: number): Promise<void> {
    const at = `'${report.cutoff.toISOString()}'`;
    for (const status of ['succeeded', 'failed']) {
      const old = `SELECT id FROM deliveries WHERE status = '${status}' AND created_at < ${at}`;
      if (report.dryRun) {
        const [{ deliveries, attempts }] = await this.dataSource.query<
          { deliveries: number; attempts: number }[]
        >(
          `SELECT (SELECT count(*) FROM (${old}) d)::int AS deliveries,
                  (SELECT count(*) FROM delivery_attempts a
                   WHERE a.delivery_id IN (${old})
                     AND a.tableoid::regclass::text <> ALL ($1::text[])
                     AND NOT (a.tableoid = 'delivery_attempts_default'::regclass
                              AND a.created_at < ${at}))::int AS attempts`,
          [report.droppedPartitions],
        );
        report.deleted.deliveries += deliveries;
        report.deleted.delivery_attempts += attempts;
        continue;
      }
      for (;;) {
        const [{ deliveries, attempts }] = await this.dataSource.query<
          { deliveries: number; attempts: number }[]
        >(
          `WITH doomed AS (${old} LIMIT $1 FOR UPDATE SKIP LOCKED),
                gone AS (DELETE FROM deliveries WHERE id IN (SELECT id FROM doomed) RETURNING 1)
           SELECT (SELECT count(*) FROM gone)::int AS deliveries,
                  (SELECT count(*) FROM delivery_attempts
                   WHERE delivery_id = ANY (ARRAY(SELECT id FROM doomed)))::int AS attempts`,
          [batch],
        );
        report.deleted.deliveries += deliveries;
        report.deleted.delivery_attempts += attempts;
        if (deliveries < batch) break;
      }
    }
  }

  /**
   * Events created before the cut-off none of whose deliveries remain. A dry run counts
   * those whose remaining deliveries the run would delete.
   *
   * Deliveries of an event read its payload (stored once, on the event), so an event must
   * never go while a delivery of it is being added: a redelivery holds a key-share lock on
   * the event row until it commits. Each batch first locks its events (skipping those held)
   * and only then, in a new statement whose snapshot sees every copy committed before the
   * lock, deletes those that still have no delivery; a copy that comes after waits for
   * this commit and then finds its event gone (and copies nothing).
   */
  private async events(cutoff: Date, dryRun: boolean, batch: number): Promise<number> {
    const at = `'${cutoff.toISOString()}'`;
    const kept = dryRun
      ? `d.event_id = e.id AND (d.status = 'pending' OR d.created_at >= ${at})`
      : `d.event_id = e.id`;
    const old = `SELECT e.id FROM events e
                 WHERE e.created_at < ${at} AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE ${kept})`;
    if (dryRun) return this.batches(dryRun, batch, old, '');
    let total = 0;
    for (;;) {
      const { locked, deleted } = await this.dataSource.transaction(async (tx) => {
        const ids = (
          await tx.query<{ id: string }[]>(`${old} LIMIT $1 FOR UPDATE OF e SKIP LOCKED`, [batch])
        ).map((r) => r.id);
        if (ids.length === 0) return { locked: 0, deleted: 0 };
        const [, count] = await tx.query<[unknown, number]>(
          `DELETE FROM events e WHERE e.id = ANY($1::uuid[])
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)`,
          [ids],
        );
        return { locked: ids.length, deleted: count };
      });
      total += deleted;
      if (locked < batch) return total;
    }
  }

  /**
   * Runs `remove` (which deletes at most $1 rows) until a batch comes back short, each
   * batch its own transaction; or, on a dry run, counts the rows of `select`.
   */
  private async batches(
    dryRun: boolean,
    batch: number,
    select: string,
    remove: string,
  ): Promise<number> {
    if (dryRun) {
      const [{ n }] = await this.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM (${select}) s`,
      );
      return n;
    }
    let total = 0;
    for (;;) {
      const [, count] = await this.dataSource.query<[unknown, number]>(remove, [batch]);
      total += count;
      if (count < batch) return total;
    }
  }
}
