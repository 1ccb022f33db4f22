import { pickServer } from '../test/helpers/pg-server';
import { latency } from './scenarios/latency';
async function main(): Promise<void> {
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  console.log(await latency(server.url, 200, 10));
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
