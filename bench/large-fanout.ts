// npm run bench:large-fanout -- [before main.js] [rounds]: POST /v1/events of a 1 MB
// payload (random base64: it does not compress) matched by 1,000 webhooks, on a `server`
// process with no worker; the time of each request and how much the deliveries and events
// tables grew. With a "before" build (another checkout's dist/apps/cli/src/main.js), both
// builds in alternating rounds, each on a fresh database of this build's schema.
import { randomBytes } from 'node:crypto';
import { pickServer } from '../test/support/pg-server';
import { createBenchDatabase } from './lib/database';
import { startServer } from './lib/processes';

const WEBHOOKS = 1_000;
const PAYLOAD_BYTES = 1_000_000;
const REQUESTS = 3;

interface Result {
  ms: number[];
  grewMb: number;
}

async function measure(serverUrl: string): Promise<Result> {
  const db = await createBenchDatabase(serverUrl);
  const server = await startServer(db.url);
  try {
    await db.dataSource.query(
      `INSERT INTO webhooks (id, name, url, content_type, valid_status_codes, max_delivery_attempts,
         delivery_attempt_timeout, retry_min_backoff, retry_max_backoff, event_types)
       SELECT gen_random_uuid(), 'bench', 'http://127.0.0.1:9/', 'application/json', '{200}', 5,
              10, 10, 3600, '{big.*}'
       FROM generate_series(1, ${WEBHOOKS})`,
    );
    const size = async (): Promise<number> =>
      Number(
        (
          await db.dataSource.query<{ n: string }[]>(
            `SELECT (pg_total_relation_size('deliveries') + pg_total_relation_size('events'))::text AS n`,
          )
        )[0].n,
      );
    const before = await size();
    const ms: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const payload = JSON.stringify({
        blob: randomBytes(PAYLOAD_BYTES)
          .toString('base64')
          .slice(0, PAYLOAD_BYTES - 11),
      });
      const started = process.hrtime.bigint();
      const res = await fetch(`${server.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event_type: 'big.one', payload }),
      });
      const text = await res.text();
      if (res.status !== 201) throw new Error(`POST /v1/events answered ${res.status}: ${text}`);
      ms.push(Math.round(Number(process.hrtime.bigint() - started) / 1e6));
    }
    return { ms, grewMb: Math.round((await size()) - before) / 1e6 / REQUESTS };
  } finally {
    await server.process.stop();
    await db.drop();
  }
}

async function main(): Promise<void> {
  const [before, roundsArg] = process.argv.slice(2);
  const rounds = Number(roundsArg ?? 2);
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const builds = before ? (['before', 'after'] as const) : (['after'] as const);
  console.log(`| round | build | ms per request (${REQUESTS}) | MB stored per event |`);
  console.log(`|---|---|---|---|`);
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? builds : [...builds].reverse();
    for (const build of order) {
      if (build === 'before') process.env.POSTMAND_BENCH_CLI = before;
      else delete process.env.POSTMAND_BENCH_CLI;
      const r = await measure(server.url);
      console.log(`| ${round} | ${build} | ${r.ms.join(', ')} | ${r.grewMb.toFixed(1)} |`);
    }
  }
  if (server.embedded) await server.embedded.server.stop();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
