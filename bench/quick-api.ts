import { pickServer } from '../test/helpers/pg-server';
import { apiThroughput } from './scenarios/api';
async function main(): Promise<void> {
  const server = await pickServer(process.env.POSTMAND_BENCH_DATABASE_URL);
  console.log(await apiThroughput(server.url, 5));
  process.exit(0);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
