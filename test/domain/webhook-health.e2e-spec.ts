import { WebhookHealthRepository, type HealthReport, type HealthSettings } from '@app/domain';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** The circuit breaker and auto-disable as WebhookHealthRepository applies them (§7). */
describe('webhook health', () => {
  let db: TestDatabase;
  const repo = new WebhookHealthRepository();
  const settings: HealthSettings = { circuitFailures: 5, circuitMaxCooldown: 100, disableAfter: 0 };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  async function webhook(): Promise<string> {
    const [{ id }] = await db.dataSource.query<{ id: string }[]>(
      `INSERT INTO webhooks (name, url, content_type, valid_status_codes, max_delivery_attempts,
         delivery_attempt_timeout, retry_min_backoff, retry_max_backoff)
       VALUES ('health', 'http://127.0.0.1:9/', 'application/json', '{200}', 5, 10, 10, 60)
       RETURNING id`,
    );
    return id;
  }
  const report = (webhookId: string, r: Partial<HealthReport>): HealthReport => ({
    webhookId,
    failures: 0,
    succeeded: false,
    gone: false,
    regular: true,
    ...r,
  });
  const apply = (r: HealthReport, s = settings) => repo.apply([r], s, db.dataSource);
  const state = async (id: string) =>
    (
      await db.dataSource.query<Record<string, unknown>[]>(
        `SELECT active, disabled_reason, consecutive_failures, circuit_cooldown,
                failing_since IS NOT NULL AS failing,
                round(extract(epoch FROM circuit_open_until - now()))::int AS opens_in
         FROM webhooks WHERE id = $1`,
        [id],
      )
    )[0];

  it('opens after 5 failures in a row, reopens for twice as long after a failed trial, closes on success', async () => {
    const id = await webhook();
    expect(await apply(report(id, { failures: 4 }))).toEqual([]);
    expect(await state(id)).toMatchObject({
      consecutive_failures: 4,
      failing: true,
      opens_in: null,
    });
    expect(await apply(report(id, { failures: 1 }))).toEqual([
      {
        webhookId: id,
        tenantId: null,
        regular: true,
        kind: 'circuit_opened',
        reason: '5 consecutive failed attempts; deliveries wait 30 s',
      },
    ]);
    expect(await state(id)).toMatchObject({ circuit_cooldown: 30, opens_in: 30 });
    // A failure of an attempt still in flight while open changes nothing but the count.
    expect(await apply(report(id, { failures: 1 }))).toEqual([]);
    expect(await state(id)).toMatchObject({ consecutive_failures: 6, opens_in: 30 });
    // Half-open: the trial fails, twice the cool-off, then the longest one allowed.
    for (const cooldown of [60, 100, 100]) {
      await db.dataSource.query(`UPDATE webhooks SET circuit_open_until = now() WHERE id = $1`, [
        id,
      ]);
      expect(await apply(report(id, { failures: 1 }))).toEqual([]);
      expect(await state(id)).toMatchObject({ circuit_cooldown: cooldown, opens_in: cooldown });
    }
    expect(await apply(report(id, { succeeded: true }))).toEqual([
      {
        webhookId: id,
        tenantId: null,
        regular: true,
        kind: 'circuit_closed',
        reason: 'an attempt succeeded',
      },
    ]);
    expect(await state(id)).toMatchObject({
      consecutive_failures: 0,
      failing: false,
      circuit_cooldown: null,
      opens_in: null,
    });
  });

  it('disables on 410 Gone, and after failing for POSTMAND_DISABLE_AFTER seconds', async () => {
    const gone = await webhook();
    expect(await apply(report(gone, { failures: 1, gone: true, regular: false }))).toEqual([
      {
        webhookId: gone,
        tenantId: null,
        regular: false,
        kind: 'disabled',
        reason: 'endpoint answered 410 Gone',
      },
    ]);
    expect(await state(gone)).toMatchObject({
      active: false,
      disabled_reason: 'endpoint answered 410 Gone',
    });

    const failing = await webhook();
    const after = { ...settings, disableAfter: 60 };
    expect(await apply(report(failing, { failures: 1 }), after)).toEqual([]);
    await db.dataSource.query(
      `UPDATE webhooks SET failing_since = now() - interval '61 seconds' WHERE id = $1`,
      [failing],
    );
    expect(await apply(report(failing, { failures: 1 }), after)).toEqual([
      {
        webhookId: failing,
        tenantId: null,
        regular: true,
        kind: 'disabled',
        reason: 'failing without a success for 60 seconds',
      },
    ]);
    // A success in between starts the clock again.
    const recovered = await webhook();
    await apply(report(recovered, { failures: 1 }), after);
    await db.dataSource.query(
      `UPDATE webhooks SET failing_since = now() - interval '61 seconds' WHERE id = $1`,
      [recovered],
    );
    expect(await apply(report(recovered, { succeeded: true, failures: 1 }), after)).toEqual([]);
    expect(await state(recovered)).toMatchObject({ active: true, consecutive_failures: 1 });
  });
});
