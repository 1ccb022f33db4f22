// npm run bench:schemas -- [requests] [rounds]: what a payload schema (§14) costs a publish now
// that payloads are checked in schema threads (SchemaValidatorPool). Two measures:
//  1. one validation of a matching payload against a 2 KB schema (24 properties, patterns,
//     bounds): in this thread (SchemaValidation, as the API did before the pool) and via
//     the pool (the hop to a thread and back), one at a time and 16 at once; µs each;
//  2. through a `server` process (the built dist, no worker), in `rounds` rounds (default
//     3) each on a fresh database and server: `requests` publishes (default 500, after a
//     warm-up) of a type without a schema and of one with that schema, each to 1 webhook,
//     taking turns (which goes first alternating); p50 / mean ms each round, and the ratio
//     of the medians across rounds (issue 29: a publish with a 2 KB schema costs at most
//     1.2 × one without).
import { CompiledSchema, SchemaValidation, SchemaValidatorPool } from '@app/domain/testing';
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase } from './lib/database';
import { startServer } from './lib/processes';
import { createHook, median, pct, publish, type PublishKind } from './lib/publish';

const WARM_UP = 50;

/** 24 properties of every kind, with patterns and bounds: about 2 KB of JSON. */
const SCHEMA: Record<string, unknown> = {
  type: 'object',
  required: ['id', 'email', 'total'],
  additionalProperties: false,
  properties: Object.fromEntries(
    Array.from({ length: 24 }, (_, i) => {
      const kinds = [
        ['id', { type: 'integer', minimum: 1 }],
        ['email', { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254 }],
        ['total', { type: 'number', minimum: 0, maximum: 1e9 }],
        ['tags', { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 20 }],
        ['state', { enum: ['new', 'paid', 'shipped', 'refunded'] }],
        ['code', { type: 'string', pattern: '^[A-Z]{3}-[0-9]{4}$' }],
      ] as const;
      const [name, schema] = kinds[i % kinds.length];
      const described = { ...schema, description: `Field ${i}.` };
      return [i < kinds.length ? name : `${name}_${i}`, described];
    }),
  ),
};
const PAYLOAD = JSON.stringify(
  Object.fromEntries(
    Object.keys(SCHEMA.properties as object).map((name) => {
      const kind = name.split('_')[0];
      const value = {
        id: 42,
        email: 'a@example.com',
        total: 12.5,
        tags: ['x', 'y'],
        state: 'paid',
        code: 'ABC-1234',
      }[kind];
      return [name, value];
    }),
  ),
);

/** 1 webhook each: a type without a schema, and one with SCHEMA (in the catalogue). */
const KINDS: PublishKind[] = [
  {
    label: 'type without a schema',
    eventType: 'plain.created',
    payload: () => PAYLOAD,
    deliveries: 1,
  },
  {
    label: 'type with the 2 KB schema',
    eventType: 'typed.created',
    payload: () => PAYLOAD,
    deliveries: 1,
  },
];

interface Stats {
  p50: number;
  mean: number;
}

async function micro(): Promise<void> {
  const compiled = CompiledSchema.compile(SCHEMA);
  const inThread = new SchemaValidation(SCHEMA);
  if (inThread.problems(PAYLOAD).length > 0) throw new Error(inThread.problems(PAYLOAD).join());
  const n = 20_000;
  for (let i = 0; i < 2000; i++) inThread.problems(PAYLOAD);
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) inThread.problems(PAYLOAD);
  const here = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  const pool = new SchemaValidatorPool();
  try {
    for (let i = 0; i < 2000; i++) await pool.check(compiled, PAYLOAD);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await pool.check(compiled, PAYLOAD);
    const one = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < n / 16; i++) {
      await Promise.all(Array.from({ length: 16 }, () => pool.check(compiled, PAYLOAD)));
    }
    const many = Number(process.hrtime.bigint() - t0) / 1e3 / n;
    console.log(`schema ${JSON.stringify(SCHEMA).length} bytes, payload ${PAYLOAD.length} bytes`);
    console.log('| validation of a matching payload | µs each |');
    console.log('|---|---|');
    console.log(`| in the event loop (no pool) | ${here.toFixed(1)} |`);
    console.log(`| via the pool, one at a time (round trip) | ${one.toFixed(1)} |`);
    console.log(`| via the pool, 16 at once (per validation) | ${many.toFixed(1)} |`);
  } finally {
    await pool.onModuleDestroy();
  }
}

/** One round: a fresh database and `server`, then both kinds taking turns; p50 / mean each. */
async function publishRound(pgUrl: string, requests: number): Promise<Stats[]> {
  const db = await createBenchDatabase(pgUrl);
  const server = await startServer(db.url);
  const ms = KINDS.map(() => [] as number[]);
  try {
    const res = await fetch(`${server.url}/v1/event-types/typed.created`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema: SCHEMA }),
    });
    if (res.status !== 201) throw new Error(`event type: ${res.status} ${await res.text()}`);
    for (const kind of KINDS) await createHook(server.url, kind.eventType);
    for (let i = 0; i < WARM_UP + requests; i++) {
      // Which kind goes first alternates from one pair to the next.
      for (let k = 0; k < KINDS.length; k++) {
        const kind = (k + i) % 2;
        const took = await publish(server.url, KINDS[kind], i);
        if (i >= WARM_UP) ms[kind].push(took);
      }
    }
  } finally {
    await server.process.stop();
    await db.drop();
  }
  return ms.map((xs) => ({ p50: pct(xs, 50), mean: xs.reduce((a, b) => a + b, 0) / xs.length }));
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 500);
  const rounds = Number(process.argv[3] ?? 3);
  await micro();
  const pg = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const runs: Stats[][] = [];
  try {
    for (let round = 0; round < rounds; round++) runs.push(await publishRound(pg.url, requests));
  } finally {
    if (pg.embedded) await pg.embedded.server.stop();
  }
  console.log(
    `\nPOST /v1/events, 1 match each: ${rounds} round(s), each on a fresh database and server, ` +
      `${requests} of each kind per round taking turns (after ${WARM_UP} each)`,
  );
  console.log(
    '| round | without a schema p50 / mean ms | with the 2 KB schema p50 / mean ms | ratio p50 |',
  );
  console.log('|---|---|---|---|');
  const f2 = (n: number) => n.toFixed(2);
  runs.forEach(([plain, typed], r) =>
    console.log(
      `| ${r + 1} | ${f2(plain.p50)} / ${f2(plain.mean)} | ${f2(typed.p50)} / ${f2(typed.mean)} | ${(typed.p50 / plain.p50).toFixed(3)} |`,
    ),
  );
  const m = (k: number, q: keyof Stats) => median(runs.map((run) => run[k][q]));
  console.log(
    `| median | ${f2(m(0, 'p50'))} / ${f2(m(0, 'mean'))} | ${f2(m(1, 'p50'))} / ${f2(m(1, 'mean'))} | |`,
  );
  const ratio = m(1, 'p50') / m(0, 'p50');
  console.log(
    `\nwith / without the 2 KB schema (medians across rounds): p50 ${ratio.toFixed(3)} ×, ` +
      `mean ${(m(1, 'mean') / m(0, 'mean')).toFixed(3)} × — issue 29's target ≤ 1.2 × by p50: ` +
      (ratio <= 1.2 ? 'met' : 'NOT met'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
