import { call, startService, type Service } from '../helpers/system';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * §11: "the limit holds under concurrent creates on any number of API processes". Two real
 * `postmand server` processes on one database, each with its own pool, take creates for
 * the same tenants all at once: no per-process guard could hold the limit, only the
 * database's (WebhookRepository.forTenant). Without the tenant's lock, creates that count
 * at the same moment all see room, and the tenant ends with more than its limit.
 */
describe('system: max_webhooks under concurrent creates on two API processes', () => {
  let db: TestDatabase;
  let apis: Service[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    apis = [await startService('server', db.url), await startService('server', db.url)];
  });
  afterAll(async () => {
    for (const api of apis) await api.stop('SIGKILL');
    await db.drop();
  });

  it('20 creates for a tenant with max_webhooks 5, spread over both: exactly 5 are made, 15 are 409 code 17', async () => {
    const tenants = ['alpha', 'beta'];
    for (const id of tenants) {
      const res = await call(apis[0].apiUrl, 'PUT', `/v1/tenants/${id}`, { max_webhooks: 5 });
      expect(res.status).toBe(201);
    }
    // Both tenants at once: 40 creates in flight, alternating between the processes.
    const creates = tenants.flatMap((tenant) =>
      Array.from({ length: 20 }, (_, i) => ({ tenant, api: apis[i % 2] })),
    );
    const answers = await Promise.all(
      creates.map(({ tenant, api }, i) =>
        call(api.apiUrl, 'POST', '/v1/webhooks', {
          name: `hook ${tenant} ${i}`,
          url: 'http://127.0.0.1:9/hook',
          content_type: 'application/json',
          valid_status_codes: [200],
          tenant_id: tenant,
        }),
      ),
    );
    for (const tenant of tenants) {
      const mine = answers.filter((_, i) => creates[i].tenant === tenant);
      const statuses = mine.map((a) => a.status).sort();
      expect(statuses).toEqual([...Array(5).fill(201), ...Array(15).fill(409)]);
      for (const refused of mine.filter((a) => a.status === 409)) {
        expect(refused.body).toMatchObject({ code: 17, message: 'tenant webhook limit reached' });
      }
      const made = mine.filter((a) => a.status === 201).map((a) => a.body.id as string);
      const rows = await db.dataSource.query<{ id: string }[]>(
        'SELECT id FROM webhooks WHERE tenant_id = $1',
        [tenant],
      );
      expect(rows.map((r) => r.id).sort()).toEqual(made.sort());
    }
  });
});
