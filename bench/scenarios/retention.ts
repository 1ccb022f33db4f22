import { Client } from 'pg';
import {
  AttemptPartitionsRepository,
  ensureAttemptPartitions,
  IdempotencyRepository,
  partitionName,
  RetentionRepository,
  RetentionService,
} from '@app/domain';
import { createBenchDatabase, type BenchDatabase } from '../lib/database';
import { ReceiverProcess, startPostmand, startServer } from '../lib/processes';
import { percentile, quietMachine } from '../lib/util';
import { dispatchPostmand } from './dispatch';

const DAYS = 30;
const DAY_MS = 86_400_000;
const pct = (xs: number[], p: number): number =>
  Math.round(
    percentile(
      [...xs].sort((a, b) => a - b),
      p,
    ) * 10,
  ) / 10;

/** A request head as the sender records it (~330 bytes); the body is the delivery's payload. */
const HEAD = `'POST /hook HTTP/1.1' || E'\\r\\n' || 'Host: receiver.internal:8080' || E'\\r\\n' ||
  'Content-Type: application/json' || E'\\r\\n' || 'Content-Length: 80' || E'\\r\\n' ||
  'User-Agent: postmand/0.1.0' || E'\\r\\n' || 'Accept: */*' || E'\\r\\n' ||
  'Accept-Encoding: identity' || E'\\r\\n' || 'webhook-id: ' || d.id || E'\\r\\n' ||
  'webhook-timestamp: 1764657600' || E'\\r\\n' ||
  'webhook-signature: v1,' || encode(sha256(d.id::text::bytea), 'base64') || E'\\r\\n\\r\\n'`;

/**
 * The database of §8's bound: `attempts` attempts over 30 daily partitions (the days
 * before today), for `deliveries` finished deliveries of 100 webhooks spread over the same
 * days. Each day is loaded as a table of its own, indexed, then attached (a CHECK on its
 * range lets ATTACH skip the scan): the way an operator would backfill, and 3–4 × faster
 * than inserting through the partitioned table's indexes.
 */
async function fill(db: BenchDatabase, attempts: number, deliveries: number): Promise<void> {
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  try {
    await pg.query(`SET maintenance_work_mem = '512MB'`);
    await pg.query(`
      INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
        delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
      SELECT 'bench ' || g, 'http://127.0.0.1:9/hook', 'application/json', '{200}', 5, 10, 10, 3600
      FROM generate_series(1, 100) g`);
    // Deliveries numbered 1..n in a side table, so attempts can pick theirs by number.
    await pg.query(
      `CREATE TABLE bench_numbered (n int PRIMARY KEY, id uuid, webhook_id uuid, at timestamptz)`,
    );
    await pg.query(
      `WITH w AS (SELECT id, row_number() OVER () - 1 AS k FROM webhooks)
       INSERT INTO bench_numbered
       SELECT g, gen_random_uuid(), w.id,
              date_trunc('day', now(), 'UTC') - make_interval(days => $2) +
                make_interval(secs => (g::float8 / $1) * $2 * 86400)
       FROM generate_series(1, $1) g JOIN w ON w.k = g % 100`,
      [deliveries, DAYS],
    );
    await pg.query(
      `INSERT INTO deliveries (id, webhook_id, payload, scheduled_at, delivery_attempts, status,
         created_at, updated_at)
       SELECT id, webhook_id, '{"event":"order.created","order_id":' || n || ',"amount":4200}',
              at, 1, CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'succeeded' END, at, at
       FROM bench_numbered`,
    );
    const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
    const perDay = Math.round(attempts / DAYS);
    // Delivery n was made on day floor((n - 1) / span): each day's attempts are of its own.
    const span = Math.floor(deliveries / DAYS);
    for (let day = DAYS; day >= 1; day--) {
      const from = new Date(today.getTime() - day * DAY_MS);
      const to = new Date(from.getTime() + DAY_MS);
      const name = partitionName(from);
      await pg.query(
        `CREATE TABLE ${name} (LIKE delivery_attempts INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
      );
      // The day's deliveries get its attempts (several each: retries), at random times in it.
      await pg.query(
        `INSERT INTO ${name} (id, webhook_id, delivery_id, raw_request, raw_response,
           response_status_code, execution_duration, success, error, created_at,
           request_body_omitted)
         SELECT gen_random_uuid(), d.webhook_id, d.id, ${HEAD},
                'HTTP/1.1 200 OK' || E'\\r\\n' || 'content-length: 2' || E'\\r\\n\\r\\n' || 'ok',
                CASE WHEN g % 10 = 0 THEN 503 ELSE 200 END, 3 + g % 40, g % 10 <> 0, '',
                $1::timestamptz + make_interval(secs => (g % 86400)::float8 + (g % 997) / 1000.0),
                true
         FROM generate_series(1, $2::int) g
         JOIN bench_numbered d ON d.n = $3::int + g % $4::int`,
        [from, perDay, (DAYS - day) * span + 1, span],
      );
      await pg.query(
        `ALTER TABLE ${name} ADD CONSTRAINT ${name}_range
           CHECK (created_at >= '${from.toISOString()}' AND created_at < '${to.toISOString()}')`,
      );
      await pg.query(`ALTER TABLE ${name} ADD PRIMARY KEY (id, created_at)`);
      for (const columns of [
        '(created_at, id)',
        '(delivery_id, created_at, id)',
        '(created_at, id) WHERE NOT success',
        '(webhook_id, created_at, id) WHERE NOT success',
        '(webhook_id, created_at, id)',
      ]) {
        await pg.query(`CREATE INDEX ON ${name} ${columns}`);
      }
      await pg.query(
        `ALTER TABLE delivery_attempts ATTACH PARTITION ${name}
           FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
      );
    }
    await pg.query(`DROP TABLE bench_numbered`);
    await pg.query(`VACUUM ANALYZE`);
  } finally {
    await pg.end();
  }
}

export interface RetentionScaleResult {
  attempts: number;
  deliveries: number;
  partitions: number;
  fillSeconds: number;
  databaseGb: number;
  /** [request, p50, p95] of each timed API request. */
  latency: [string, number, number][];
  dispatch: { big: number; empty: number };
  retention: { seconds: number; walMb: number; deleted: Record<string, number>; dropped: string[] };
}

/** Client-timed GETs of `paths` in turn, the first 10 unmeasured: p50 and p95 in ms. */
async function timeGets(url: string, paths: string[]): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < paths.length; i++) {
    const started = process.hrtime.bigint();
    const res = await fetch(`${url}${paths[i]}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${paths[i]} answered ${res.status}`);
    if (i >= 10) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { p50: pct(times, 50), p95: pct(times, 95) };
}

/** The cursor of page `page` of `path` (limit 50), walking there by cursor. */
async function cursorOfPage(url: string, path: string, page: number): Promise<string> {
  let after: string | null = null;
  for (let i = 1; i < page; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await fetch(`${url}${path}${sep}limit=50${after ? `&after=${after}` : ''}`);
    const body = (await res.json()) as { next_cursor: string | null };
    if (!body.next_cursor) throw new Error(`${path} has fewer than ${page} pages`);
    after = body.next_cursor;
  }
  return after!;
}

export async function retentionAtScale(
  serverUrl: string,
  attempts: number,
  deliveries: number,
  /** The deep page timed, by cursor (1,000 at full scale). */
  deep: number,
): Promise<RetentionScaleResult> {
  const db = await createBenchDatabase(serverUrl);
  try {
    const started = Date.now();
    await fill(db, attempts, deliveries);
    await ensureAttemptPartitions(db.dataSource);
    const fillSeconds = Math.round((Date.now() - started) / 1000);
    const [{ gb, n, parts }] = await db.dataSource.query<
      { gb: number; n: number; parts: number }[]
    >(
      `SELECT round(pg_database_size(current_database()) / 1e9, 1)::float8 AS gb,
              (SELECT count(*) FROM delivery_attempts)::int AS n,
              (SELECT count(*) FROM pg_inherits WHERE inhparent = 'delivery_attempts'::regclass)::int AS parts`,
    );

    const server = await startServer(db.url);
    const latency: [string, number, number][] = [];
    try {
      const sample = await db.dataSource.query<
        { id: string; delivery_id: string; webhook_id: string }[]
      >(
        `SELECT id, delivery_id, webhook_id FROM delivery_attempts TABLESAMPLE SYSTEM (0.01) LIMIT 210`,
      );
      const deliveriesSample = await db.dataSource.query<{ id: string }[]>(
        `SELECT id FROM deliveries TABLESAMPLE SYSTEM (0.1) LIMIT 210`,
      );
      const hook = sample[0].webhook_id;
      const rounds = (path: string): string[] => Array.from({ length: 210 }, () => path);
      const attemptsDeep = await cursorOfPage(server.url, '/v1/delivery-attempts', deep);
      const hookDeep = await cursorOfPage(
        server.url,
        `/v1/delivery-attempts?webhook_id=${hook}`,
        deep,
      );
      const deliveriesDeep = await cursorOfPage(server.url, '/v1/deliveries', deep);
      await quietMachine();
      await db.dataSource.query('CHECKPOINT');
      const cases: [string, string[]][] = [
        ['GET /v1/delivery-attempts/{id}', sample.map((s) => `/v1/delivery-attempts/${s.id}`)],
        ['GET /v1/deliveries/{id}', deliveriesSample.map((s) => `/v1/deliveries/${s.id}`)],
        ['list attempts, page 1', rounds('/v1/delivery-attempts?limit=50')],
        [
          `list attempts, page ${deep.toLocaleString('en')} (after=)`,
          rounds(`/v1/delivery-attempts?limit=50&after=${attemptsDeep}`),
        ],
        [
          'list attempts of a webhook, page 1',
          rounds(`/v1/delivery-attempts?webhook_id=${hook}&limit=50`),
        ],
        [
          `list attempts of a webhook, page ${deep.toLocaleString('en')} (after=)`,
          rounds(`/v1/delivery-attempts?webhook_id=${hook}&limit=50&after=${hookDeep}`),
        ],
        ['list failed attempts, page 1', rounds('/v1/delivery-attempts?success=false&limit=50')],
        [
          'list attempts of a delivery',
          sample.map((s) => `/v1/delivery-attempts?delivery_id=${s.delivery_id}`),
        ],
        ['list deliveries, page 1', rounds('/v1/deliveries?limit=50')],
        [
          `list deliveries, page ${deep.toLocaleString('en')} (after=)`,
          rounds(`/v1/deliveries?limit=50&after=${deliveriesDeep}`),
        ],
      ];
      for (const [name, paths] of cases) {
        const { p50, p95 } = await timeGets(server.url, paths);
        latency.push([name, p50, p95]);
      }
    } finally {
      await server.process.stop();
    }

    // Dispatch on this database, beside the same on an empty one in the same run.
    const count = 30_000;
    const receiver = await ReceiverProcess.start({});
    let big = 0;
    try {
      const [{ id }] = await db.dataSource.query<{ id: string }[]>(
        `INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
           delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
         VALUES ('bench due', $1, 'application/json', '{200}', 5, 30, 10, 3600) RETURNING id`,
        [`${receiver.url}/hook`],
      );
      await db.dataSource.query(
        `INSERT INTO deliveries (webhook_id, payload, scheduled_at)
         SELECT $1, '{"event":"order.created","order_id":' || g || ',"amount":4200,"currency":"EUR"}',
                now() - interval '1 second'
         FROM generate_series(1, $2) g`,
        [id, count],
      );
      await db.dataSource.query('ANALYZE deliveries');
      await quietMachine();
      const worker = startPostmand('worker', {
        POSTMAND_DATABASE_URL: db.url,
        POSTMAND_HEALTH_CHECK_HTTP_PORT: '0',
        POSTMAND_RETENTION_DAYS: '0',
      });
      // Today's partition holds only this run's attempts: counted there, not over all.
      const today = partitionName(new Date());
      const deadline = Date.now() + 600_000;
      let row: { n: number; first: Date; last: Date };
      do {
        await new Promise((resolve) => setTimeout(resolve, 200));
        [row] = await db.dataSource.query<{ n: number; first: Date; last: Date }[]>(
          `SELECT count(*)::int AS n, min(created_at) AS first, max(created_at) AS last
           FROM ${today} WHERE success`,
        );
      } while (row.n < count && Date.now() < deadline);
      await worker.stop();
      big = Math.round(
        ((row.n - 1) * 1000) / Math.max(1, row.last.getTime() - row.first.getTime()),
      );
    } finally {
      await receiver.stop();
    }
    await quietMachine();
    const empty = (await dispatchPostmand(serverUrl, count)).perSecond;

    // One retention run that drops the oldest day (and deletes that day's deliveries).
    await quietMachine();
    await db.dataSource.query('CHECKPOINT');
    const [{ lsn }] = await db.dataSource.query<{ lsn: string }[]>(
      `SELECT pg_current_wal_lsn() AS lsn`,
    );
    const t0 = Date.now();
    const retention = new RetentionService(
      new RetentionRepository(db.dataSource),
      new AttemptPartitionsRepository(db.dataSource),
      new IdempotencyRepository(db.dataSource),
    );
    const report = await retention.run({
      // The cut-off: the end of the oldest day, so that exactly that partition goes.
      olderThanSeconds: Math.floor(
        (Date.now() - (Math.floor(Date.now() / DAY_MS) - DAYS + 1) * DAY_MS) / 1000,
      ),
    });
    const seconds = (Date.now() - t0) / 1000;
    const [{ mb }] = await db.dataSource.query<{ mb: number }[]>(
      `SELECT round((pg_current_wal_lsn() - $1::pg_lsn) / 1e6, 1)::float8 AS mb`,
      [lsn],
    );
    return {
      attempts: n,
      deliveries,
      partitions: parts,
      fillSeconds,
      databaseGb: gb,
      latency,
      dispatch: { big, empty },
      retention: {
        seconds,
        walMb: mb,
        deleted: report?.deleted ?? {},
        dropped: report?.droppedPartitions ?? [],
      },
    };
  } finally {
    await db.drop();
  }
}

/** Section 9 (`npm run bench:retention`): §8's bound at scale. */
export async function retentionReport(
  serverUrl: string,
  quick: boolean,
): Promise<{ markdown: string; targets: [string, string, boolean][] }> {
  const attempts = Number(process.env.BENCH_ATTEMPTS ?? (quick ? 3_000_000 : 50_000_000));
  const r = await retentionAtScale(
    serverUrl,
    attempts,
    quick ? 100_000 : 1_000_000,
    quick ? 200 : 1000,
  );
  const worst = Math.max(...r.latency.map(([, , p95]) => p95));
  const markdown = [
    `### 9. ${r.attempts.toLocaleString('en')} attempts over ${r.partitions} partitions (${DAYS} past days, today's and the days ahead, DEFAULT), ${r.deliveries.toLocaleString('en')} finished deliveries`,
    '',
    `Loaded in ${r.fillSeconds} s; the database is ${r.databaseGb} GB. Client-timed requests to a \`postmand server\`, 200 each after 10 unmeasured, after a CHECKPOINT on a quiet machine.`,
    '',
    '| request | p50 ms | p95 ms |',
    '|---|---|---|',
    ...r.latency.map(([name, p50, p95]) => `| ${name} | ${p50} | ${p95} |`),
    '',
    `Dispatch of 30,000 due deliveries, one worker: **${r.dispatch.big}/s** on this database, ${r.dispatch.empty}/s on an empty one in the same run (${(r.dispatch.big / r.dispatch.empty).toFixed(2)} ×).`,
    '',
    `One retention run dropping the oldest day: ${r.retention.seconds.toFixed(1)} s, ${r.retention.walMb} MB of WAL; dropped ${r.retention.dropped.join(', ') || 'nothing'}; deleted ${JSON.stringify(r.retention.deleted)}.`,
    '',
  ].join('\n');
  return {
    markdown,
    targets: [
      [
        `GET by id and every list p95 ≤ 20 ms at ${r.attempts.toLocaleString('en')} attempts`,
        `worst p95 ${worst} ms`,
        worst <= 20,
      ],
      [
        'dispatch throughput unchanged by the big tables (≥ 0.9 ×)',
        `${(r.dispatch.big / r.dispatch.empty).toFixed(2)} ×`,
        r.dispatch.big >= 0.9 * r.dispatch.empty,
      ],
    ],
  };
}
