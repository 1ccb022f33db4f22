import { pickServer } from '../test/helpers/pg-server';
import { dispatchPostmand, dispatchSqlOnly } from './scenarios/dispatch';

async function main(): Promise<void> {
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  const n = Number(process.argv[2] ?? 20000);
  console.log(await dispatchSqlOnly(server.url, n));
  console.log(await dispatchPostmand(server.url, n));
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
