// npm run bench:schemas -- [requests]: what a payload schema (§14) costs a publish now
// that payloads are checked in schema threads (SchemaValidatorPool). Two measures:
//  1. one validation of a matching payload against a 2 KB schema (24 properties, patterns,
//     bounds): in this thread (SchemaValidation, as the API did before the pool) and via
//     the pool (the hop to a thread and back), one at a time and 16 at once; µs each;
//  2. through a `server` process (the built dist, no worker) on its own database:
//     `requests` publishes (default 500, after a warm-up) of a type without a schema and
//     of one with that schema, each to 1 webhook, taking turns; p50 / mean ms each, and
//     their ratio (issue 29: a publish with a 2 KB schema costs at most 1.2 × one without).
import { CompiledSchema, SchemaValidation, SchemaValidatorPool } from '@app/domain/testing';
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase } from './lib/database';
import { startServer } from './lib/processes';
import { percentile } from './lib/util';

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

async function put(url: string, path: string, method: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}

async function publish(url: string, eventType: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const res = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event_type: eventType, payload: PAYLOAD }),
  });
  await res.arrayBuffer();
  if (res.status !== 201) throw new Error(`${eventType}: ${res.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function publishes(requests: number): Promise<void> {
  const pg = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const db = await createBenchDatabase(pg.url);
  const server = await startServer(db.url);
  const kinds = ['plain.created', 'typed.created'];
  const ms = kinds.map(() => [] as number[]);
  try {
    await put(server.url, '/v1/event-types/typed.created', 'PUT', { schema: SCHEMA });
    for (const eventType of kinds) {
      await put(server.url, '/v1/webhooks', 'POST', {
        name: 'bench hook',
        url: 'http://127.0.0.1:9/',
        content_type: 'application/json',
        valid_status_codes: [200],
        event_types: [eventType],
        active: false,
      });
    }
    for (let i = 0; i < WARM_UP + requests; i++) {
      for (let k = 0; k < kinds.length; k++) {
        const took = await publish(server.url, kinds[(k + i) % 2]);
        if (i >= WARM_UP) ms[(k + i) % 2].push(took);
      }
    }
  } finally {
    await server.process.stop();
    await db.drop();
    if (pg.embedded) await pg.embedded.server.stop();
  }
  const stats = ms.map((xs) => ({
    p50: percentile(
      [...xs].sort((a, b) => a - b),
      50,
    ),
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  }));
  console.log(`\nPOST /v1/events, ${requests} of each, taking turns (after ${WARM_UP} each)`);
  console.log('| publish (1 match) | p50 ms | mean ms |');
  console.log('|---|---|---|');
  kinds.forEach((kind, k) => {
    const label = k === 0 ? 'type without a schema' : 'type with the 2 KB schema';
    console.log(`| ${label} | ${stats[k].p50.toFixed(2)} | ${stats[k].mean.toFixed(2)} |`);
  });
  console.log(
    `ratio with / without: p50 ${(stats[1].p50 / stats[0].p50).toFixed(3)}, mean ${(stats[1].mean / stats[0].mean).toFixed(3)}`,
  );
}

async function main(): Promise<void> {
  await micro();
  await publishes(Number(process.argv[2] ?? 500));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
