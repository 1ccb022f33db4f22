import type { DataSource } from 'typeorm';
import type { Sql } from '../common/unit-of-work';

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
 * at start and hourly, and by `postmand retention run`: one at a time (an advisory lock
 * for the transaction), each day in its own short transaction whose DDL gives up after
 * a few seconds rather than queue writers behind it. Rows that reached the DEFAULT
 * partition for a day (no partition was ready) move into the day's new partition.
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
    const made = await sql.transaction(async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = '5s'`);
      await tx.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
      const [{ exists }] = await tx.query<{ exists: boolean }[]>(
        `SELECT to_regclass($1) IS NOT NULL AS exists`,
        [name],
      );
      if (exists) return false;
      const range = `FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`;
      const [{ strays }] = await tx.query<{ strays: boolean }[]>(
        `SELECT EXISTS (SELECT 1 FROM delivery_attempts_default
                        WHERE created_at >= $1 AND created_at < $2) AS strays`,
        [start, end],
      );
      if (!strays) {
        await tx.query(`CREATE TABLE ${name} PARTITION OF delivery_attempts FOR VALUES ${range}`);
        return true;
      }
      // The day's rows leave the DEFAULT partition for the new one, in this transaction.
      await tx.query(
        `CREATE TABLE ${name} (LIKE delivery_attempts INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
      );
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
