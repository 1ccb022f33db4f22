import { ApiFixture, VALID_WEBHOOK } from '../helpers/api-fixture';
import { until } from '../helpers/wait';

const TENANTS = 40;
const PER_TENANT = 500;

/**
 * A tenant's deliveries of one status (the portal's logs filtered by status, its recover's
 * count) read that tenant's rows of that status through their own partial index
 * (TenantStatusIndexes), not the status's rows of every tenant: shown by the index's scan
 * counter, on a table large enough for the planner to choose by cost. The answer is what
 * a walk of every row gives.
 */
describe('a tenant’s deliveries by status', () => {
  const f = ApiFixture.use();

  /** How many scans the index has served so far (the statistics lag by up to a second). */
  const scans = async (index: string): Promise<number> => {
    const [row] = await f.db.dataSource.query<{ n: string }[]>(
      `SELECT idx_scan AS n FROM pg_stat_user_indexes WHERE indexrelname = $1`,
      [index],
    );
    return Number(row.n);
  };

  it('lists and counts one tenant’s failed and pending deliveries through their indexes', async () => {
    const sql = f.db.dataSource;
    const hooks: string[] = [];
    for (let t = 0; t < TENANTS; t++) {
      await f.http().put(`/v1/tenants/t${t}`).send({}).expect(201);
      const hook = await f.createWebhook({
        ...VALID_WEBHOOK,
        name: `hook ${t}`,
        tenant_id: `t${t}`,
        active: false,
      });
      hooks.push(hook.id as string);
    }
    // Statuses in turn: 1 in 10 failed, 1 in 10 pending, the rest succeeded.
    await sql.query(
      `INSERT INTO deliveries (webhook_id, tenant_id, payload, status, created_at)
       SELECT h.id, h.tenant_id, '{}',
              CASE WHEN g % 10 = 0 THEN 'failed' WHEN g % 10 = 1 THEN 'pending'
                   ELSE 'succeeded' END,
              now() - make_interval(secs => g)
       FROM webhooks h, generate_series(1, ${PER_TENANT}) g`,
    );
    await sql.query('ANALYZE deliveries');

    for (const status of ['failed', 'pending'] as const) {
      const index = `deliveries_${status}_tenant_id_created_at_id_idx`;
      const before = await scans(index);
      const list = await f.http().get(`/v1/deliveries?tenant_id=t7&status=${status}&limit=20`);
      expect(list.status).toBe(200);
      expect(list.body.deliveries).toHaveLength(20);
      for (const d of list.body.deliveries) {
        expect(d).toMatchObject({ tenant_id: 't7', webhook_id: hooks[7], status });
      }
      const expected = await sql.query<{ id: string }[]>(
        `SELECT id FROM deliveries WHERE tenant_id = 't7' AND status = $1
         ORDER BY created_at DESC, id DESC LIMIT 20`,
        [status],
      );
      expect(list.body.deliveries.map((d: { id: string }) => d.id)).toEqual(
        expected.map((r) => r.id),
      );
      await until(
        async () => (await scans(index)) > before,
        30_000,
        `a scan of ${index} for t7's ${status} deliveries`,
      );
    }

    const failed = `deliveries_failed_tenant_id_created_at_id_idx`;
    const before = await scans(failed);
    const dry = await f
      .http()
      .post('/v1/deliveries/redeliver')
      .send({ webhook_id: hooks[7], status: 'failed', dry_run: true })
      .expect(200);
    expect(dry.body).toEqual({ count: PER_TENANT / 10 });
    const counted = await f
      .http()
      .get('/v1/deliveries?tenant_id=t7&status=failed&limit=1000')
      .expect(200);
    expect(counted.body.deliveries).toHaveLength(PER_TENANT / 10);
    await until(async () => (await scans(failed)) > before, 30_000, `a scan of ${failed}`);
  });
});
