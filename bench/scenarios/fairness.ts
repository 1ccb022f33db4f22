import * as http from 'node:http';
import { createBenchDatabase, createWebhook, insertDeliveries } from '../lib/database';
import { ReceiverProcess, startPostmand, type Measured } from '../lib/processes';
import { freePort, percentile, waitForHttp } from '../lib/util';
import { postJson } from './latency';

/** B's probes are created one at a time, this many per second. */
export const PROBE_RATE = 20;
/** A probe not received this long after its creation counts as not received. */
export const PROBE_CAP_MS = 60_000;
/** Unmeasured probes first: JIT, pools and caches settle (the same count in every run). */
const WARM_UP = 20;
/** How long A must have been dispatching before B's probes start, and A's rate window. */
const A_RAMP_MS = 2_000;
const A_WINDOW_MS = 3_000;

export interface FairnessResult {
  system: string;
  /** A's due deliveries (jobs) when the probes start counting; 0 on the idle service. */
  backlog: number;
  /** Seconds to seed A's backlog. */
  seededSeconds: number;
  probes: number;
  received: number;
  /** Create → receive in ms; Infinity when the percentile falls on a probe not received. */
  p50: number;
  p99: number;
  max: number;
  /** A's deliveries/s just before the probes and while they were created. */
  aBefore?: number;
  aDuring?: number;
  /** A's receiver count reached the backlog before the probes ended: the backlog was too small. */
  aRanOut?: boolean;
}

/** Creates B's probe `n` and resolves with the id the receiver will see as `webhook-id`. */
export type AddProbe = (n: number) => Promise<string>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Deliveries/s A's receiver saw over the next `ms`. */
async function receiverRate(a: ReceiverProcess, ms: number): Promise<number> {
  const before = (await a.stats()).count;
  const started = Date.now();
  await sleep(ms);
  const after = (await a.stats()).count;
  return Math.round(((after - before) * 1000) / (Date.now() - started));
}

/**
 * The probes, on a service whose worker runs: `probes` creations for B one at a time at
 * PROBE_RATE per second (after WARM_UP unmeasured ones), each timed from its creation
 * returning to B's receiver seeing it. With `a` (A's receiver), the probes start once A has
 * been dispatching for A_RAMP_MS + A_WINDOW_MS, and A's rate is measured before and during.
 */
export async function measureProbes(options: {
  system: string;
  backlog: number;
  seededSeconds: number;
  probes: number;
  add: AddProbe;
  b: ReceiverProcess;
  a?: ReceiverProcess;
  /** Rejects when the process doing the work dies (its output in the error). */
  died: Promise<never>;
}): Promise<FairnessResult> {
  const { a, b, add, probes } = options;
  const run = async (): Promise<FairnessResult> => {
    for (let i = 0; i < WARM_UP; i++) {
      await add(-1 - i).catch(() => undefined); // a failed warm-up only warms less
      await sleep(1000 / PROBE_RATE);
    }
    let aBefore: number | undefined;
    let aStart = 0;
    if (a) {
      const deadline = Date.now() + 120_000;
      while ((await a.stats()).count === 0) {
        if (Date.now() > deadline) throw new Error(`${options.system}: A was never dispatched`);
        await sleep(100);
      }
      await sleep(A_RAMP_MS);
      aBefore = await receiverRate(a, A_WINDOW_MS);
      aStart = (await a.stats()).count;
    }
    const created = new Map<string, number>();
    const started = Date.now();
    for (let n = 0; n < probes; n++) {
      const wait = started + (n * 1000) / PROBE_RATE - Date.now();
      if (wait > 0) await sleep(wait);
      try {
        const id = await add(n);
        created.set(id, Date.now());
      } catch (err) {
        console.error(`${options.system}: probe ${n} was not created: ${String(err)}`);
      }
    }
    let aDuring: number | undefined;
    let aRanOut: boolean | undefined;
    if (a) {
      const aEnd = (await a.stats()).count;
      aDuring = Math.round(((aEnd - aStart) * 1000) / Math.max(1, Date.now() - started));
      aRanOut = aEnd >= options.backlog;
    }
    const latencies = await waitForProbes(b, created);
    return {
      system: options.system,
      backlog: options.backlog,
      seededSeconds: options.seededSeconds,
      probes,
      received: latencies.filter(Number.isFinite).length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
      aBefore,
      aDuring,
      aRanOut,
    };
  };
  return Promise.race([run(), options.died]);
}

/**
 * Waits until B's receiver has seen every created probe or each one's PROBE_CAP_MS has
 * passed; the latencies ascending, Infinity for a probe not received (or not created).
 */
async function waitForProbes(b: ReceiverProcess, created: Map<string, number>): Promise<number[]> {
  const lastCap = Math.max(0, ...created.values()) + PROBE_CAP_MS;
  let seen = new Map<string, number>();
  for (;;) {
    const stats = await b.stats();
    seen = new Map(stats.arrivals.filter(([id]) => created.has(id)));
    if (seen.size === created.size || Date.now() > lastCap) break;
    await sleep(200);
  }
  const latencies = [...created].map(([id, at]) => {
    const arrived = seen.get(id);
    return arrived !== undefined && arrived - at <= PROBE_CAP_MS ? arrived - at : Infinity;
  });
  return latencies.sort((x, y) => x - y);
}

/** Rejects with the process's output when it exits before the run is over. */
export function diesWith(name: string, child: Measured): Promise<never> {
  return child.exited.then((code) => {
    throw new Error(`${name} exited (${code}):\n${child.output.slice(-3000)}`);
  });
}

/**
 * postmand, built (dist): a fresh database, one `server`, one `worker` (default settings),
 * webhook B; with `backlog` > 0 also webhook A with that many due deliveries inserted by
 * SQL before the worker starts, answered by a fast receiver of its own.
 */
export async function fairnessPostmand(
  serverUrl: string,
  backlog: number,
  probes: number,
): Promise<FairnessResult> {
  const b = await ReceiverProcess.start({ record: true });
  const a = backlog > 0 ? await ReceiverProcess.start() : undefined;
  const db = await createBenchDatabase(serverUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const children: Measured[] = [];
  try {
    const webhookB = await createWebhook(db, `${b.url}/hook`);
    const seedStarted = Date.now();
    if (a) {
      const webhookA = await createWebhook(db, `${a.url}/hook`);
      await insertDeliveries(db, webhookA, backlog);
      await db.dataSource.query('VACUUM ANALYZE deliveries');
    }
    const seededSeconds = (Date.now() - seedStarted) / 1000;
    if (a) console.log(`  postmand: ${backlog} deliveries for A seeded in ${seededSeconds} s`);
    const port = await freePort();
    const env = { POSTMAND_DATABASE_URL: db.url, POSTMAND_HEALTH_CHECK_HTTP_PORT: '0' };
    const server = startPostmand('server', { ...env, POSTMAND_HTTP_PORT: String(port) });
    children.push(server);
    await waitForHttp(`http://127.0.0.1:${port}/v1/webhooks`);
    const worker = startPostmand('worker', env);
    children.push(worker);
    const add: AddProbe = async (n) => {
      const body = await postJson(agent, port, '/v1/deliveries', {
        webhook_id: webhookB,
        payload: `{"probe":${n}}`,
      });
      return (JSON.parse(body) as { id: string }).id;
    };
    return await measureProbes({
      system: 'postmand',
      backlog,
      seededSeconds,
      probes,
      add,
      a,
      b,
      died: Promise.race([
        diesWith('postmand server', server),
        diesWith('postmand worker', worker),
      ]),
    });
  } finally {
    agent.destroy();
    for (const child of children.reverse()) await child.stop();
    await db.drop();
    await b.stop();
    await a?.stop();
  }
}
