import { pickServer } from '../test/helpers/pg-server';
import { dispatchPeer } from './scenarios/dispatch';

async function main(): Promise<void> {
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const n = Number(process.argv[2] ?? 20000);
  console.log(await dispatchPeer(server.url, 'graphile-worker', n));
  console.log(await dispatchPeer(server.url, 'pg-boss', n));
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
