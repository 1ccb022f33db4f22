import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Sql } from '../common/unit-of-work';

/*
 * The repository of delivery_attempts' partitions, one a UTC day: their DDL and what
 * reads their catalog. Each operation is a function over a DataSource (the tests and the
 * bench call these) and a method of AttemptPartitionsRepository, at the end, which the
 * services and the worker are given.
 */

/** A partition of delivery_attempts and the range of `created_at` it holds. */
export interface AttemptPartition {
  name: string;
  /** Inclusive; null for MINVALUE (the legacy partition) and for the DEFAULT one. */
  from: Date | null;
  /** Exclusive; null for the DEFAULT partition. */
  to: Date | null;
  isDefault: boolean;
}

/** Days of partitions kept ready ahead of today (UTC), so no attempt waits for DDL. */
export const PARTITION_DAYS_AHEAD = 3;

/** Any fixed number: the key of the transaction lock that serialises partition DDL. */
const PARTITION_LOCK_KEY = 74_061_313;

/**
 * Tries of one partition's DDL, each given up at its first lock that stays taken for
 * longer than the lock timeout, before it is left to the next upkeep (an hour later;
 * partitions are made days ahead, so a busy hour costs nothing). Twenty tries, with the
 * pauses below, keep trying for about 20 s: long enough to outlast a loaded machine's
 * longest writer transactions (ten tries of 100 ms were not, under a CI run's load).
 */
export const PARTITION_DDL_TRIES = 20;

/**
 * SQLSTATEs of a try given up: a lock not granted within lock_timeout, and a deadlock
 * whose victim is the DDL (should PostgreSQL's detector ever come before the timeout).
 */
const GIVEN_UP = new Set(['55P03', '40P01']);

/** The pause after the n-th failed try: 50 ms doubling up to 1 s, with jitter. */
const retryDelayMs = (tries: number): number =>
  Math.min(1000, 50 * 2 ** (tries - 1)) * (0.5 + Math.random() / 2);

/**
 * The lock timeout of the n-th try: 100 ms, then 200 ms, but never more than a fifth of
 * deadlock_timeout (PostgreSQL's default is 1 s). A try waits for at most four locks in
 * turn, so a writer queued behind the DDL waits less than deadlock_timeout in all, and a
 * cycle through the DDL is broken by this timeout before any writer's deadlock check
 * would cancel the writer. The second and later tries wait longer than the first because
 * a writer transaction on a loaded machine can outlast 100 ms every time.
 */
const LOCK_TIMEOUT_SQL = `SELECT set_config('lock_timeout', greatest(1, least($1::int,
  extract(epoch FROM current_setting('deadlock_timeout')::interval) * 200))::int || 'ms', true)`;
const lockTimeoutMs = (tries: number): number => (tries === 1 ? 100 : 200);

/**
 * Runs `ddl` in a transaction of its own, after the other partition DDL (the advisory
 * lock is waited for while holding nothing a writer needs) and with a short lock timeout
 * (see lockTimeoutMs). The DDL holds some locks while it waits for the next, and writers take theirs in
 * more than one order (deliveries then webhooks, webhooks then deliveries), so no order
 * of ours is free of cycles: a cycle is instead broken by this timeout, well before the
 * deadlock detector would cancel a writer, and a writer waits for the DDL at most one
 * such timeout per lock the DDL waits for, plus the moment the DDL itself takes.
 * A try given up that way is rolled back whole and tried again after a pause, at most
 * PARTITION_DDL_TRIES times, and only the last failure is reported (thrown).
 */
async function partitionDdl<T>(
  sql: DataSource,
  what: string,
  ddl: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await sql.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
        await tx.query(LOCK_TIMEOUT_SQL, [lockTimeoutMs(tries)]);
        return ddl(tx);
      });
    } catch (err) {
      if (!GIVEN_UP.has((err as { code?: string }).code ?? '')) throw err;
      if (tries >= PARTITION_DDL_TRIES) {
        throw new Error(
          `${what}: the tables it locks stayed busy through ${tries} tries; the next upkeep tries again`,
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(tries)));
    }
  }
}

const DAY_MS = 86_400_000;

/** `delivery_attempts_pYYYYMMDD`, the UTC day a daily partition starts. */
export const partitionName = (day: Date): string =>
  `delivery_attempts_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;

/** The partitions of delivery_attempts, oldest first (the DEFAULT one last). */
export async function attemptPartitions(sql: Sql): Promise<AttemptPartition[]> {
  const rows = await sql.query<{ name: string; bound: string }[]>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'delivery_attempts'::regclass`,
  );
  const partitions = rows.map(({ name, bound }): AttemptPartition => {
    if (bound === 'DEFAULT') return { name, from: null, to: null, isDefault: true };
    const m = /^FOR VALUES FROM \((MINVALUE|'[^']+')\) TO \('([^']+)'\)$/.exec(bound);
    if (!m) throw new Error(`unexpected bound of partition ${name}: ${bound}`);
    const from = m[1] === 'MINVALUE' ? null : new Date(m[1].slice(1, -1));
    return { name, from, to: new Date(m[2]), isDefault: false };
  });
  const order = (p: AttemptPartition): number =>
    p.isDefault ? Infinity : (p.from?.getTime() ?? -Infinity);
  return partitions.sort((a, b) => order(a) - order(b));
}

/**
 * Makes sure a daily partition holds every day from `from` (default: today, UTC) through
 * `PARTITION_DAYS_AHEAD` days after today; returns the partitions it created. Days a
 * partition already covers (the legacy one included) are left alone. Run by every worker
 * at start and hourly, and by `postmand retention run`: each day in a transaction of its
 * own (see partitionDdl: one at a time, never waiting long for a lock, so that neither a
 * writer nor this deadlocks or waits long). The day's table is created alone, then
 * attached (see within). Rows that reached the DEFAULT partition for a day (no partition
 * was ready) move into the day's new partition in the same transaction.
 */
export async function ensureAttemptPartitions(sql: DataSource, from?: Date): Promise<string[]> {
  const [{ today }] = await sql.query<{ today: Date }[]>(
    `SELECT date_trunc('day', now(), 'UTC') AS today`,
  );
  const first = from ? new Date(Math.floor(from.getTime() / DAY_MS) * DAY_MS) : today;
  const last = new Date(today.getTime() + PARTITION_DAYS_AHEAD * DAY_MS);
  // Read once: a partition another process creates meanwhile is caught by name below.
  const partitions = (await attemptPartitions(sql)).filter((p) => !p.isDefault);
  const created: string[] = [];
  for (let day = first; day <= last; day = new Date(day.getTime() + DAY_MS)) {
    const start = day;
    const end = new Date(day.getTime() + DAY_MS);
    const covered = partitions.some((p) => (p.from === null || p.from <= start) && p.to! >= end);
    if (covered) continue;
    const name = partitionName(start);
    const made = await partitionDdl(sql, `creating ${name}`, async (tx) => {
      const [{ exists }] = await tx.query<{ exists: boolean }[]>(
        `SELECT to_regclass($1) IS NOT NULL AS exists`,
        [name],
      );
      if (exists) return false;
      // A table of its own first, which locks nothing anyone else uses.
      await tx.query(
        `CREATE TABLE ${name} (LIKE delivery_attempts INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
      );
      // What ATTACH needs, taken up front: SHARE ROW EXCLUSIVE on the tables the foreign
      // keys reference (the constraints cloned onto the new partition need it), in the
      // order a webhook's deletion takes them (webhooks, deliveries, then attempts), and
      // ACCESS EXCLUSIVE on the DEFAULT partition, whose bound shrinks. The parent itself
      // gets SHARE UPDATE EXCLUSIVE only, which no read or write of it waits for (but see
      // below). CREATE TABLE … PARTITION OF would lock the parent ACCESS EXCLUSIVE, then
      // the referenced tables: the deadlock with a worker recording attempts.
      await tx.query(`LOCK TABLE webhooks, deliveries IN SHARE ROW EXCLUSIVE MODE`);
      // A day that has begun (or begins within the hour) may be receiving attempts,
      // which go to the DEFAULT partition until this commits: such an insert would wait
      // for the DEFAULT partition's lock and then fail its bound, new as of this ATTACH.
      // For such a day (the worker was down for days, or the days ahead were never
      // made) attempts are held back at the parent instead, until this commits; reads
      // go on. Days ahead, the usual case, receive none and hold nothing back.
      const [{ live }] = await tx.query<{ live: boolean }[]>(
        `SELECT $1::timestamptz < now() + interval '1 hour' AS live`,
        [start],
      );
      if (live) await tx.query(`LOCK TABLE ONLY delivery_attempts IN EXCLUSIVE MODE`);
      await tx.query(`LOCK TABLE delivery_attempts_default IN ACCESS EXCLUSIVE MODE`);
      // Rows that reached the DEFAULT partition for this day (no partition was ready)
      // come along; no insert can add one meanwhile: the DEFAULT partition is ours.
      const range = `FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`;
      await tx.query(
        `WITH moved AS (
           DELETE FROM delivery_attempts_default
           WHERE created_at >= $1 AND created_at < $2 RETURNING *)
         INSERT INTO ${name} SELECT * FROM moved`,
        [start, end],
      );
      await tx.query(`ALTER TABLE delivery_attempts ATTACH PARTITION ${name} FOR VALUES ${range}`);
      return true;
    });
    if (made) created.push(name);
  }
  return created;
}

/** The rows an attempt partition holds (a count of the table `name`, which must exist). */
export async function attemptPartitionRows(sql: Sql, name: string): Promise<number> {
  const [{ n }] = await sql.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${name}`);
  return n;
}

/**
 * Drops an attempt partition (retention), as partition DDL does (see partitionDdl);
 * returns the number of rows it held. Its rows are counted first, before any lock a
 * writer waits for: a past day's partition takes no new rows, and the only rows it can
 * lose in the moment between are those of a webhook deleted meanwhile. DROP locks the parent table
 * ACCESS EXCLUSIVE: taken first, it is the only lock the drop waits for (writers reach a
 * partition through the parent), so that a drop is never one side of a cycle, and it is
 * held only for the drop itself.
 */
export async function dropAttemptPartition(sql: DataSource, name: string): Promise<number> {
  const exists = async (q: Sql): Promise<boolean> =>
    (await q.query<{ t: string | null }[]>(`SELECT to_regclass($1) AS t`, [name]))[0].t !== null;
  if (!(await exists(sql))) return 0;
  const n = await attemptPartitionRows(sql, name);
  return partitionDdl(sql, `dropping ${name}`, async (tx) => {
    await tx.query(`LOCK TABLE ONLY delivery_attempts IN ACCESS EXCLUSIVE MODE`);
    if (!(await exists(tx))) return 0;
    await tx.query(`DROP TABLE ${name}`);
    return n;
  });
}

/** The partitions of delivery_attempts, as a repository: the functions above, on the pool. */
@Injectable()
export class AttemptPartitionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The partitions, oldest first, the DEFAULT one last (attemptPartitions). */
  list(): Promise<AttemptPartition[]> {
    return attemptPartitions(this.dataSource);
  }

  /**
   * Partitions from `from` (default: today) through PARTITION_DAYS_AHEAD days ahead;
   * returns those it created (ensureAttemptPartitions).
   */
  ensure(from?: Date): Promise<string[]> {
    return ensureAttemptPartitions(this.dataSource, from);
  }

  /** The rows the partition `name` holds (attemptPartitionRows). */
  countRows(name: string): Promise<number> {
    return attemptPartitionRows(this.dataSource, name);
  }

  /** Drops the partition `name`; returns the rows it held (dropAttemptPartition). */
  drop(name: string): Promise<number> {
    return dropAttemptPartition(this.dataSource, name);
  }
}
