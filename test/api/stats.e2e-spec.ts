import { randomUUID } from 'node:crypto';
import { ApiFixture, ISO_MS } from '../helpers/api-fixture';
import { until } from '../helpers/wait';

/** The dashboard's figures: read from the shared tables, so every API process agrees. */
describe('/v1/stats', () => {
  const f = ApiFixture.use({}, { withHook: true });

  /**
   * The second every helper call counts back from, read once per test: separate statements
   * each reading now() would straddle a second boundary now and then.
   */
  let base: Date;
  beforeEach(async () => {
    [{ base }] = await f.db.dataSource.query<{ base: Date }[]>(
      `SELECT date_trunc('second', now()) AS base`,
    );
  });

  /** Attempts `secondsAgo` seconds before `base` with the given durations. */
  async function attempts(
    deliveryId: string,
    secondsAgo: number,
    durations: number[],
    success = true,
  ) {
    await f.db.dataSource.query(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, error, created_at)
       SELECT d.webhook_id, d.id, 'POST /hook HTTP/1.1', '', $3, ms, $3 = 200, '',
              $5::timestamptz - make_interval(secs => $2) + interval '100 ms'
       FROM deliveries d, unnest($4::int[]) AS ms WHERE d.id = $1`,
      [deliveryId, secondsAgo, success ? 200 : 500, durations, base],
    );
  }

  it('counts a minute of attempts second by second, with percentiles, the backlog and circuits', async () => {
    const d = await f.createDelivery(); // due now: the backlog holds it
    // 100 attempts of 1..100 ms five seconds ago, two failures of 500 ms ten seconds ago,
    // and one attempt older than the window.
    await attempts(
      d.id,
      5,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    await attempts(d.id, 10, [500, 500], false);
    await attempts(d.id, 120, [7]);
    await f.db.dataSource.query(
      `UPDATE webhooks SET circuit_open_until = now() + interval '30 s' WHERE id = $1`,
      [f.hookId],
    );

    const body = (await f.http().get('/v1/stats').expect(200)).body;
    expect(body).toMatchObject({
      generated_at: expect.stringMatching(ISO_MS),
      window_seconds: 60,
      due_backlog: 1,
      due_backlog_capped: false,
      open_circuits: 1,
      disabled_webhooks: 0,
    });
    expect(body.oldest_due_seconds).toBeGreaterThanOrEqual(0);
    expect(body.seconds).toHaveLength(60);
    const at = body.seconds.map((s: { at: string }) => Date.parse(s.at));
    for (let i = 1; i < 60; i++) expect(at[i] - at[i - 1]).toBe(1000);
    const busy = body.seconds.filter(
      (s: { succeeded: number; failed: number }) => s.succeeded + s.failed > 0,
    );
    expect(busy).toEqual([
      { at: expect.any(String), succeeded: 0, failed: 2, p50_ms: 500, p90_ms: 500, p99_ms: 500 },
      { at: expect.any(String), succeeded: 100, failed: 0, p50_ms: 50, p90_ms: 90, p99_ms: 99 },
    ]);
    expect(Date.parse(busy[1].at) - Date.parse(busy[0].at)).toBe(5000);
    const idle = body.seconds.find(
      (s: { succeeded: number }) => s.succeeded === 0 && s !== busy[0],
    );
    expect(idle).toMatchObject({ failed: 0, p50_ms: null, p90_ms: null, p99_ms: null });
    expect(body.window).toEqual({ succeeded: 100, failed: 2, p50_ms: 51, p90_ms: 92, p99_ms: 500 });

    // The next figures read only the seconds not yet final; the earlier ones come from
    // memory and still count. Three attempts of 7 ms now show up once their second ends.
    await f.db.dataSource.query(
      `INSERT INTO delivery_attempts (webhook_id, delivery_id, raw_request, raw_response,
         response_status_code, execution_duration, success, error)
       SELECT webhook_id, id, 'POST /hook HTTP/1.1', '', 200, 7, true, ''
       FROM deliveries, generate_series(1, 3) WHERE id = $1`,
      [d.id],
    );
    let later = body;
    await until(
      async () => {
        later = (await f.http().get('/v1/stats').expect(200)).body;
        return later.window.succeeded === 103;
      },
      60_000,
      'the new attempts counted',
    );
    // 105 durations now: 1–6, four of 7, 8–100 and two of 500; the 53rd is 50.
    expect(later.window).toEqual({
      succeeded: 103,
      failed: 2,
      p50_ms: 50,
      p90_ms: 92,
      p99_ms: 500,
    });
    expect(later.seconds.filter((x: { succeeded: number }) => x.succeeded === 3)).toHaveLength(1);
  });

  it('gives each webhook’s success rate over its last 100 attempts, in the order asked', async () => {
    const other = (await f.createWebhook()).id as string;
    const d = await f.createDelivery();
    await attempts(d.id, 30, Array(50).fill(5), false); // older: only 50 of these count
    await attempts(d.id, 3, Array(50).fill(5), true);
    const unknown = randomUUID();
    const body = (
      await f
        .http()
        .get(`/v1/stats/webhooks?webhook_ids=${other},${f.hookId},${unknown.toUpperCase()}`)
        .expect(200)
    ).body;
    expect(body).toEqual({
      webhooks: [
        { webhook_id: other, attempts: 0, successes: 0, success_rate: null, last_attempt_at: null },
        {
          webhook_id: f.hookId,
          attempts: 100,
          successes: 50,
          success_rate: 0.5,
          last_attempt_at: expect.stringMatching(ISO_MS),
        },
        {
          webhook_id: unknown,
          attempts: 0,
          successes: 0,
          success_rate: null,
          last_attempt_at: null,
        },
      ],
    });
    await attempts(d.id, 1, Array(60).fill(5), true);
    const after = (await f.http().get(`/v1/stats/webhooks?webhook_ids=${f.hookId}`).expect(200))
      .body;
    expect(after.webhooks[0]).toMatchObject({ attempts: 100, successes: 100, success_rate: 1 });
  });

  it('refuses a bad id list with 400 code 4 naming webhook_ids', async () => {
    const message = 'webhook_ids: must be 1–100 webhook ids (UUIDs), separated by commas.';
    const missing = await f.http().get('/v1/stats/webhooks').expect(400);
    expect(missing.body.details).toBe('webhook_ids: is required.');
    for (const query of [
      '?webhook_ids=',
      '?webhook_ids=nope',
      `?webhook_ids=${f.hookId},`,
      `?webhook_ids=${Array(101).fill(f.hookId).join(',')}`,
    ]) {
      const res = await f.http().get(`/v1/stats/webhooks${query}`).expect(400);
      expect(res.body).toEqual({ code: 4, message: 'request validation failed', details: message });
    }
    const twice = await f
      .http()
      .get(`/v1/stats/webhooks?webhook_ids=${f.hookId}&webhook_ids=${f.hookId}`)
      .expect(400);
    expect(twice.body.code).toBe(4);
    const extra = await f.http().get('/v1/stats?window=5').expect(400);
    expect(extra.body.details).toMatch(/^window: /);
  });
});

/** A fresh API process: figures computed once are kept for the seconds already final. */
describe('/v1/stats with nothing recorded', () => {
  const g = ApiFixture.use();

  it('says zero and null when nothing happened', async () => {
    const body = (await g.http().get('/v1/stats').expect(200)).body;
    expect(body.window).toEqual({
      succeeded: 0,
      failed: 0,
      p50_ms: null,
      p90_ms: null,
      p99_ms: null,
    });
    expect(body.due_backlog).toBe(0);
    expect(body.seconds).toHaveLength(60);
  });
});
