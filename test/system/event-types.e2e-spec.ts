import { createTestDatabase, type TestDatabase } from '../support/database';
import { call, startService, type Service } from '../helpers/system';
import { until } from '../helpers/wait';

/**
 * §14 on two API processes: a catalogue write on one reaches publishing on the other
 * (each process caches what it read of a type for a short while, docs/api.md "Event
 * types"), and at once on the process that made it.
 */
describe('system: the event type catalogue across API processes', () => {
  let db: TestDatabase;
  let a: Service;
  let b: Service;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { POSTMAND_EVENT_TYPES: 'registered' };
    [a, b] = await Promise.all([
      startService('server', db.url, env),
      startService('server', db.url, env),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await db.drop();
  });

  /** The ids of the events the API said it stored (201), in order. */
  const stored: string[] = [];
  const publish = async (api: Service, payload: string) => {
    const res = await call(api.apiUrl, 'POST', '/v1/events', { event_type: 'shop.order', payload });
    if (res.status === 201) stored.push(res.body.id as string);
    return res;
  };

  it('refuses by a schema written on the other process, and an unknown type once deleted there', async () => {
    expect((await publish(b, '{}')).status).toBe(400); // registered: not in the catalogue
    expect((await call(a.apiUrl, 'PUT', '/v1/event-types/shop.order', {})).status).toBe(201);
    await until(async () => (await publish(b, '{}')).status === 201, 60_000, 'B to see the type');

    const schema = { type: 'object', required: ['id'] };
    expect((await call(a.apiUrl, 'PUT', '/v1/event-types/shop.order', { schema })).status).toBe(
      200,
    );
    // At once where it was written; on B once its cached entry is read again.
    expect(await publish(a, '{}')).toMatchObject({ status: 422, body: { code: 19 } });
    await until(async () => (await publish(b, '{}')).status === 422, 60_000, 'B to check');
    expect((await publish(b, '{"id": 1}')).status).toBe(201);

    expect((await call(a.apiUrl, 'DELETE', '/v1/event-types/shop.order')).status).toBe(204);
    expect(await publish(a, '{"id": 1}')).toMatchObject({ status: 400, body: { code: 4 } });
    await until(async () => (await publish(b, '{"id": 1}')).status === 400, 60_000, 'B to drop');
    // What was refused (400, 422) stored nothing: the events are exactly those answered 201.
    const rows = await db.dataSource.query<{ id: string }[]>(`SELECT id FROM events`);
    expect(rows.map((r) => r.id).sort()).toEqual([...stored].sort());
    expect(stored.length).toBeGreaterThanOrEqual(2);
  });
});
