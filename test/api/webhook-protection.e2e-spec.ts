import { ApiFixture, VALID_WEBHOOK as VALID } from '../helpers/api-fixture';

/** §7's fields on /v1/webhooks: the three knobs, and the read-only circuit and reason. */
describe('/v1/webhooks: endpoint protection fields', () => {
  const f = ApiFixture.use();
  const http = () => f.http();

  it.each([
    [{ max_concurrency: 0 }, 'max_concurrency: must be an integer from 1 to 1000.'],
    [{ max_concurrency: 1001 }, 'max_concurrency: must be an integer from 1 to 1000.'],
    [{ max_concurrency: 2.5 }, 'max_concurrency: must be an integer from 1 to 1000.'],
    [{ max_concurrency: '5' }, 'max_concurrency: must be an integer from 1 to 1000.'],
    [{ rate_limit: 0 }, 'rate_limit: must be an integer from 1 to 100000.'],
    [{ rate_limit: 100001 }, 'rate_limit: must be an integer from 1 to 100000.'],
    [{ ordering: 'lifo' }, 'ordering: must be one of none, fifo.'],
    [{ ordering: 1 }, 'ordering: must be one of none, fifo.'],
  ])('rejects %j with code 4', async (override, details) => {
    const res = await http()
      .post('/v1/webhooks')
      .send({ ...VALID, ...override })
      .expect(400);
    expect(res.body).toEqual({ code: 4, message: 'request validation failed', details });
  });

  it('takes the limits at their bounds, null as no limit, and shows them back', async () => {
    const high = await http()
      .post('/v1/webhooks')
      .send({ ...VALID, max_concurrency: 1000, rate_limit: 100000, ordering: 'fifo' })
      .expect(201);
    expect(high.body).toMatchObject({
      max_concurrency: 1000,
      rate_limit: 100000,
      ordering: 'fifo',
    });
    const low = await http()
      .post('/v1/webhooks')
      .send({ ...VALID, max_concurrency: 1, rate_limit: 1, ordering: null })
      .expect(201);
    expect(low.body).toMatchObject({ max_concurrency: 1, rate_limit: 1, ordering: 'none' });
    // PUT is a full replacement: left out, a limit is gone.
    const put = await http().put(`/v1/webhooks/${high.body.id}`).send(VALID).expect(200);
    expect(put.body).toMatchObject({ max_concurrency: null, rate_limit: null, ordering: 'none' });
  });

  it('shows the circuit as the worker left it; re-enabling by PUT clears it, a PUT on an active webhook does not', async () => {
    const { body: created } = await http().post('/v1/webhooks').send(VALID).expect(201);
    const set = (sql: string) =>
      f.db.dataSource.query(`UPDATE webhooks SET ${sql} WHERE id = $1`, [created.id]);
    await set(`consecutive_failures = 6, failing_since = now(), circuit_cooldown = 30,
               circuit_open_until = now() + interval '30 seconds'`);
    const open = (await http().get(`/v1/webhooks/${created.id}`).expect(200)).body;
    expect(open.circuit).toEqual({
      state: 'open',
      consecutive_failures: 6,
      open_until: expect.any(String),
    });
    await set(`circuit_open_until = now() - interval '1 second'`);
    expect((await http().get(`/v1/webhooks/${created.id}`)).body.circuit.state).toBe('half_open');

    // Sent back as read (circuit and disabled_reason are read-only): the circuit stays.
    const kept = await http().put(`/v1/webhooks/${created.id}`).send(open).expect(200);
    expect(kept.body.circuit).toMatchObject({ state: 'half_open', consecutive_failures: 6 });

    await set(`active = false, disabled_reason = 'endpoint answered 410 Gone'`);
    const disabled = (await http().get(`/v1/webhooks/${created.id}`)).body;
    expect(disabled).toMatchObject({
      active: false,
      disabled_reason: 'endpoint answered 410 Gone',
    });
    // Still off: the reason stays.
    await http().put(`/v1/webhooks/${created.id}`).send(disabled).expect(200);
    expect((await http().get(`/v1/webhooks/${created.id}`)).body.disabled_reason).toBe(
      'endpoint answered 410 Gone',
    );
    const enabled = await http()
      .put(`/v1/webhooks/${created.id}`)
      .send({ ...disabled, active: true })
      .expect(200);
    expect(enabled.body).toMatchObject({
      active: true,
      disabled_reason: null,
      circuit: { state: 'closed', consecutive_failures: 0, open_until: null },
    });
  });
});
