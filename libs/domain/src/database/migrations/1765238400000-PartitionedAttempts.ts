import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §8: delivery_attempts becomes range-partitioned by `created_at`, one partition per
 * UTC day, so that retention drops whole days instead of deleting rows. Its key becomes
 * `(id, created_at)` (a partitioned table's unique keys must hold the partition key); a
 * lookup by id alone probes each partition's key index.
 *
 * An existing table is not rewritten: it is renamed `delivery_attempts_legacy` and
 * attached as the partition of everything before `bound` (the start of the day after
 * tomorrow, UTC, so that rows written while this runs, even across midnight, fit). What
 * attaching would otherwise do under an exclusive lock is done beforehand without one:
 * the unique index on (id, created_at) is built CONCURRENTLY, and a CHECK on the bound is
 * added NOT VALID and validated (a scan that lets writes go on), which lets ATTACH skip
 * its scan; the other indexes and both foreign keys already match and are adopted. An
 * empty table is simply replaced. Days from `bound` get their own partitions (the worker
 * keeps creating them ahead), and a DEFAULT partition catches a row no day takes, so an
 * attempt is never refused for want of a partition.
 *
 * Also the column `request_body_omitted`: an attempt whose request body is its delivery's
 * payload stores only the request's head (the API puts the payload back), which halves an
 * attempt of a 1 KB payload. Old rows keep their whole request (false).
 */
export class PartitionedAttempts1765238400000 implements MigrationInterface {
  name = 'PartitionedAttempts1765238400000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    const [{ kind }] = (await q.query(
      `SELECT relkind AS kind FROM pg_class WHERE oid = 'delivery_attempts'::regclass`,
    )) as { kind: string }[];
    if (kind === 'p') return; // an earlier run got this far and was cut off before its record
    const [{ bound }] = (await q.query(
      `SELECT (date_trunc('day', now(), 'UTC') + interval '2 days')::text AS bound`,
    )) as { bound: string }[];

    // Outside a transaction: the index build and the CHECK's validation let writes go on.
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS delivery_attempts_id_created_at_key`);
    await q.query(
      `CREATE UNIQUE INDEX CONCURRENTLY delivery_attempts_id_created_at_key
         ON delivery_attempts (id, created_at)`,
    );
    await q.query(
      `ALTER TABLE delivery_attempts DROP CONSTRAINT IF EXISTS delivery_attempts_legacy_bound`,
    );
    await q.query(
      `ALTER TABLE delivery_attempts ADD CONSTRAINT delivery_attempts_legacy_bound
         CHECK (created_at < '${bound}'::timestamptz) NOT VALID`,
    );
    await q.query(
      `ALTER TABLE delivery_attempts VALIDATE CONSTRAINT delivery_attempts_legacy_bound`,
    );

    await q.startTransaction();
    try {
      await q.query(`LOCK TABLE delivery_attempts IN ACCESS EXCLUSIVE MODE`);
      const [{ empty }] = (await q.query(
        `SELECT NOT EXISTS (SELECT 1 FROM delivery_attempts) AS empty`,
      )) as { empty: boolean }[];
      if (empty) {
        await q.query(`DROP TABLE delivery_attempts`);
      } else {
        await q.query(`ALTER TABLE delivery_attempts RENAME TO delivery_attempts_legacy`);
        await q.query(
          `ALTER TABLE delivery_attempts_legacy
             DROP CONSTRAINT delivery_attempts_pkey,
             ADD CONSTRAINT delivery_attempts_legacy_pkey
               PRIMARY KEY USING INDEX delivery_attempts_id_created_at_key`,
        );
        for (const index of LEGACY_INDEXES) {
          await q.query(
            `ALTER INDEX ${index} RENAME TO ${index.replace('delivery_attempts_', 'delivery_attempts_legacy_')}`,
          );
        }
        await q.query(
          `ALTER TABLE delivery_attempts_legacy
             ADD COLUMN request_body_omitted boolean NOT NULL DEFAULT false`,
        );
      }
      await q.query(`
        CREATE TABLE delivery_attempts (
          id                   uuid NOT NULL DEFAULT gen_random_uuid(),
          webhook_id           uuid NOT NULL CONSTRAINT delivery_attempts_webhook_id_fkey
                                 REFERENCES webhooks (id) ON DELETE CASCADE,
          delivery_id          uuid NOT NULL CONSTRAINT delivery_attempts_delivery_id_fkey
                                 REFERENCES deliveries (id) ON DELETE CASCADE,
          raw_request          text NOT NULL,
          raw_response         text NOT NULL,
          response_status_code integer NOT NULL
            CONSTRAINT delivery_attempts_response_status_code_check
            CHECK (response_status_code >= 0 AND response_status_code <= 999),
          execution_duration   integer NOT NULL
            CONSTRAINT delivery_attempts_execution_duration_check CHECK (execution_duration >= 0),
          success              boolean NOT NULL,
          error                text NOT NULL DEFAULT '',
          created_at           timestamptz(3) NOT NULL DEFAULT now(),
          request_body_omitted boolean NOT NULL DEFAULT false,
          CONSTRAINT delivery_attempts_pkey PRIMARY KEY (id, created_at)
        ) PARTITION BY RANGE (created_at)`);
      await q.query(
        `CREATE INDEX delivery_attempts_created_at_id_idx ON delivery_attempts (created_at, id)`,
      );
      await q.query(`CREATE INDEX delivery_attempts_delivery_id_created_at_id_idx
                       ON delivery_attempts (delivery_id, created_at, id)`);
      await q.query(`CREATE INDEX delivery_attempts_failed_created_at_id_idx
                       ON delivery_attempts (created_at, id) WHERE NOT success`);
      await q.query(`CREATE INDEX delivery_attempts_failed_webhook_id_created_at_id_idx
                       ON delivery_attempts (webhook_id, created_at, id) WHERE NOT success`);
      await q.query(`CREATE INDEX delivery_attempts_webhook_id_created_at_id_idx
                       ON delivery_attempts (webhook_id, created_at, id)`);
      if (!empty) {
        await q.query(
          `ALTER TABLE delivery_attempts ATTACH PARTITION delivery_attempts_legacy
             FOR VALUES FROM (MINVALUE) TO ('${bound}')`,
        );
      }
      // Daily partitions from today (or from the legacy one's bound) for a few days; the
      // worker creates the next ones ahead of time.
      const [{ start }] = (await q.query(
        empty
          ? `SELECT date_trunc('day', now(), 'UTC')::text AS start`
          : `SELECT $1::text AS start`,
        empty ? [] : [bound],
      )) as { start: string }[];
      for (let day = 0; day < 3; day++) {
        const [{ from, to, name }] = (await q.query(
          `SELECT ($1::timestamptz + make_interval(days => $2))::text AS from,
                  ($1::timestamptz + make_interval(days => $2 + 1))::text AS to,
                  'delivery_attempts_p' ||
                    to_char(($1::timestamptz + make_interval(days => $2)) AT TIME ZONE 'UTC',
                            'YYYYMMDD') AS name`,
          [start, day],
        )) as { from: string; to: string; name: string }[];
        await q.query(
          `CREATE TABLE ${name} PARTITION OF delivery_attempts
             FOR VALUES FROM ('${from}') TO ('${to}')`,
        );
      }
      await q.query(
        `CREATE TABLE delivery_attempts_default PARTITION OF delivery_attempts DEFAULT`,
      );
      // What the API reads: the whole request, the payload put back where it was left out,
      // and its size without reading either body (octet_length reads a TOAST header).
      await q.query(`
        CREATE VIEW delivery_attempts_full AS
        SELECT a.id, a.webhook_id, a.delivery_id,
               CASE WHEN a.request_body_omitted THEN a.raw_request || d.payload
                    ELSE a.raw_request END AS raw_request,
               a.raw_response, a.response_status_code, a.execution_duration, a.success,
               a.error, a.created_at,
               octet_length(a.raw_request) +
                 CASE WHEN a.request_body_omitted THEN octet_length(d.payload) ELSE 0 END
                 AS raw_request_bytes
        FROM delivery_attempts a LEFT JOIN deliveries d ON d.id = a.delivery_id`);
      await q.commitTransaction();
    } catch (err) {
      await q.rollbackTransaction();
      throw err;
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // Back to one table: every row copied (down is for development databases).
    await q.query(`DROP VIEW delivery_attempts_full`);
    await q.query(`ALTER TABLE delivery_attempts RENAME TO delivery_attempts_partitioned`);
    await q.query(`
      CREATE TABLE delivery_attempts (LIKE delivery_attempts_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await q.query(`ALTER TABLE delivery_attempts DROP COLUMN request_body_omitted`);
    await q.query(`
      INSERT INTO delivery_attempts
      SELECT a.id, a.webhook_id, a.delivery_id,
             CASE WHEN a.request_body_omitted THEN a.raw_request || d.payload ELSE a.raw_request END,
             a.raw_response, a.response_status_code, a.execution_duration, a.success, a.error,
             a.created_at
      FROM delivery_attempts_partitioned a JOIN deliveries d ON d.id = a.delivery_id`);
    await q.query(`DROP TABLE delivery_attempts_partitioned`);
    await q.query(`ALTER TABLE delivery_attempts ADD PRIMARY KEY (id)`);
    await q.query(`ALTER TABLE delivery_attempts
      ADD FOREIGN KEY (delivery_id) REFERENCES deliveries (id) ON DELETE CASCADE,
      ADD FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE`);
    for (const index of LEGACY_INDEXES)
      await q.query(`CREATE INDEX ${index} ON delivery_attempts ${INDEX_COLUMNS[index]}`);
  }
}

const INDEX_COLUMNS: Record<string, string> = {
  delivery_attempts_created_at_id_idx: '(created_at, id)',
  delivery_attempts_delivery_id_created_at_id_idx: '(delivery_id, created_at, id)',
  delivery_attempts_failed_created_at_id_idx: '(created_at, id) WHERE NOT success',
  delivery_attempts_failed_webhook_id_created_at_id_idx:
    '(webhook_id, created_at, id) WHERE NOT success',
  delivery_attempts_webhook_id_created_at_id_idx: '(webhook_id, created_at, id)',
};

/** The secondary indexes of the table before this migration, by name. */
const LEGACY_INDEXES = Object.keys(INDEX_COLUMNS);
