import { makeWorkerUtils } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { createBenchDatabase } from '../lib/database';
import { ReceiverProcess, startScript, type Measured } from '../lib/processes';
import { PEER_SETTINGS, type PeerSettings } from './dispatch';
import { diesWith, measureProbes, type AddProbe, type FairnessResult } from './fairness';

export type Peer = 'graphile-worker' | 'pg-boss';

/**
 * Each peer's best settings in the dispatch bench (bench/RESULTS.md, "**best**"): the
 * fairness runs use them so that A drains at the peer's full rate.
 */
export const FAIRNESS_PEER_SETTINGS: Record<Peer, PeerSettings> = {
  'graphile-worker': PEER_SETTINGS['graphile-worker'].find((s) => s.localQueueSize === 201)!,
  'pg-boss': PEER_SETTINGS['pg-boss'].find((s) => s.batchSize === 200)!,
};

/** Resolves with the child's `{"ready"}` line once it prints one. */
async function ready(child: Measured): Promise<{ seededSeconds: number }> {
  for (;;) {
    const line = child.output.split('\n').find((l) => l.startsWith('{"ready"'));
    if (line) return JSON.parse(line) as { seededSeconds: number };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** B's jobs added through the peer's own client, as a producer adds them. */
async function probeAdder(
  peer: Peer,
  databaseUrl: string,
): Promise<{ add: AddProbe; close: () => Promise<void> }> {
  const body = (n: number): string => `{"probe":${n}}`;
  if (peer === 'graphile-worker') {
    const utils = await makeWorkerUtils({ connectionString: databaseUrl });
    return {
      add: async (n) => {
        const probe = `probe-${n}`;
        await utils.addJob('deliver', { body: body(n), probe });
        return probe;
      },
      close: async () => {
        await utils.release();
      },
    };
  }
  const boss = new PgBoss({
    connectionString: databaseUrl,
    max: 2,
    supervise: false,
    schedule: false,
  });
  boss.on('error', (err) => console.error(err));
  await boss.start();
  return {
    add: async (n) => {
      const probe = `probe-${n}`;
      await boss.send('deliver', { body: body(n), probe });
      return probe;
    },
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

/**
 * The fairness scenario for a peer at its best settings (bench/peers/*-fair.ts): `backlog`
 * jobs for A on the peer's one queue, one worker process, then B's probes added one at a
 * time; a FIFO queue holds them behind A's backlog, so each waits at most PROBE_CAP_MS.
 */
export async function fairnessPeer(
  serverUrl: string,
  peer: Peer,
  backlog: number,
  probes: number,
): Promise<FairnessResult> {
  const settings = FAIRNESS_PEER_SETTINGS[peer];
  const b = await ReceiverProcess.start({ record: true });
  const a = backlog > 0 ? await ReceiverProcess.start() : undefined;
  const db = await createBenchDatabase(serverUrl, false);
  let child: Measured | undefined;
  let close = (): Promise<void> => Promise.resolve();
  try {
    child = startScript(
      peer === 'graphile-worker' ? 'bench/peers/graphile-fair.ts' : 'bench/peers/pgboss-fair.ts',
      {
        BENCH_DATABASE_URL: db.url,
        BENCH_A_URL: `${(a ?? b).url}/hook`,
        BENCH_B_URL: `${b.url}/hook`,
        BENCH_COUNT: String(backlog),
        BENCH_SETTINGS: JSON.stringify(settings),
      },
    );
    const died = diesWith(peer, child);
    const { seededSeconds } = await Promise.race([ready(child), died]);
    if (a) console.log(`  ${peer}: ${backlog} jobs for A queued in ${seededSeconds} s`);
    const adder = await probeAdder(peer, db.url);
    close = adder.close;
    return await measureProbes({
      system: `${peer} (${settings.label})`,
      backlog,
      seededSeconds,
      probes,
      add: adder.add,
      a,
      b,
      died,
    });
  } finally {
    await close();
    await child?.stop();
    await db.drop();
    await b.stop();
    await a?.stop();
  }
}
