import type { Request, Route } from 'playwright-core';
import { step } from '../support/browser';
import { createDeliveries } from '../helpers/system';
import { eventually, until } from '../helpers/wait';
import { portalLogsFixture } from './portal-logs-fixture';

/** Far from UTC (+13 h in December), so a time taken as UTC would be far off. */
const ZONE = 'Pacific/Auckland';

/** `at` as a datetime-local field in ZONE holds it: `YYYY-MM-DDTHH:mm`. */
function inZone(at: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/** Lets the request through to the API, then loses its answer, as a dropped connection. */
async function loseAnswer(route: Route): Promise<void> {
  await route.fetch();
  await route.abort('failed');
}

/**
 * The portal's writes (SPEC §13), in Chromium in another time zone than the machine's:
 * redeliver, and recover what failed after the dry run's count; each under one
 * Idempotency-Key kept until it succeeds, so a lost answer and a click again create nothing
 * twice. The rest of the logs: portal-logs.e2e-spec.ts.
 */
describe('the customer portal’s redeliver and recover', () => {
  const f = portalLogsFixture({ timezoneId: ZONE });
  /** The POSTs the page sent to `path`'s end. */
  const posts: Request[] = [];
  const sent = (end: string) => posts.filter((r) => new URL(r.url()).pathname.endsWith(end));
  /** What the page logs for an answer the test lost on purpose is no problem. */
  const problems = () => f.browser.problems.filter((p) => !/net::ERR_FAILED/.test(p));

  beforeAll(() => {
    f.page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r);
    });
  });

  it('redelivers one delivery once, looks again while the copy is pending, shows it succeed', async () => {
    await step(f.page, 'portal-logs-redeliver', async () => {
      const frame = await f.openPortal();
      await f.toDeliveries(frame);
      const original = (await f.listed(`webhook_id=${f.good}`))[0].id;
      await frame.locator(`tr[data-delivery-row="${original}"] button`).click();
      await frame.getByRole('heading', { name: `Delivery ${original.slice(0, 8)}` }).waitFor();

      // The copy's reply is held until the page has shown it pending.
      let release = () => undefined as void;
      f.hold = new Promise<void>((resolve) => (release = resolve));
      const redeliver = '**/v1/deliveries/*/redeliver';
      await f.page.route(redeliver, loseAnswer);
      await frame.getByRole('button', { name: 'Redeliver' }).click();
      await frame.getByRole('alert').waitFor();
      await f.page.unroute(redeliver, loseAnswer);
      // Clicked again: the same key, so the API answers with the copy it already made.
      await frame.getByRole('button', { name: 'Redeliver' }).click();
      const copies = await eventually(
        async () => {
          const all = await f.listed(`webhook_id=${f.good}`);
          return all.length > f.goodIds.length
            ? all.filter((d) => !f.goodIds.includes(d.id))
            : undefined;
        },
        60_000,
        'the copy',
      );
      expect(copies).toHaveLength(1);
      const copy = copies[0].id;
      await f.headingFocused(frame, `Delivery ${copy.slice(0, 8)}`);
      const keys = sent('/redeliver').map((r) => r.headers()['idempotency-key']);
      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
      expect(keys[1]).toBe(keys[0]);

      await frame.locator('[data-delivery-status="pending"]').waitFor();
      await until(
        () => f.stack.receiver.requests.some((r) => r.headers['webhook-id'] === copy),
        60_000,
        'the copy to reach the receiver',
      );
      // Looked at again while held (2 s, then 4 s), its attempts fetched only once, since
      // their count has not changed.
      const looks = (path: string) =>
        f.browser.requested.filter((url) => new URL(url).pathname === path).length;
      const attemptsOf = () =>
        f.browser.requested.filter(
          (url) =>
            new URL(url).pathname === '/v1/delivery-attempts' &&
            new URL(url).searchParams.get('delivery_id') === copy,
        ).length;
      await until(() => looks(`/v1/deliveries/${copy}`) >= 3, 60_000, 'two looks again');
      expect(attemptsOf()).toBe(1);
      release();
      f.hold = undefined;
      // The view looks again by itself while the copy is pending, and shows its attempt.
      await frame.locator('[data-delivery-status="succeeded"]').waitFor();
      await frame.locator('.timeline li').first().waitFor();
      await expect(frame.locator('.timeline li').count()).resolves.toBe(1);
      const got = f.stack.receiver.requests.filter((r) => r.headers['webhook-id'] === copy);
      expect(got.map((r) => r.url)).toEqual(['/good']);
      expect((await f.listed(`webhook_id=${f.good}`)).length).toBe(f.goodIds.length + 1);
      expect(problems()).toEqual([]);
    });
  });

  it('recovers exactly the failed deliveries it counted, created since a time in the page’s zone', async () => {
    await step(f.page, 'portal-logs-recover', async () => {
      // One of the three failures was created 6 hours ago; "since" is 3 hours ago.
      await f.stack.db.dataSource.query(
        `UPDATE deliveries SET created_at = created_at - interval '6 hours' WHERE id = $1`,
        [f.flakyIds[0]],
      );
      const recent = f.flakyIds.slice(1);
      // And one is still being tried (its reply held) when the count is taken.
      let release = () => undefined as void;
      f.hold = new Promise<void>((resolve) => (release = resolve));
      const [slow] = await createDeliveries(f.stack.server.apiUrl, f.flaky, 1);
      await until(
        () => f.stack.receiver.requests.some((r) => r.headers['webhook-id'] === slow),
        60_000,
        'the slow delivery to be sent',
      );
      const frame = await f.openPortal();
      await f.toDeliveries(frame);
      await frame.getByRole('button', { name: 'Recover failed deliveries…' }).click();
      await f.focusIs(frame, "el.id === 'recover-title'", 'the panel’s heading');
      const panel = frame.getByRole('region', { name: 'Recover failed deliveries' });
      await panel.locator('#r-endpoint').selectOption(f.flaky);
      const since = panel.getByLabel('Failed deliveries created since');
      const counted = panel.locator('[data-recover-count]');

      // Nothing failed since a minute from now.
      await since.fill(inZone(new Date(Date.now() + 60_000)));
      await panel.getByRole('button', { name: 'Count' }).click();
      await expect(counted.textContent()).resolves.toMatch(
        /^Nothing failed since .+ of acme billing\.$/,
      );

      await since.fill(inZone(new Date(Date.now() - 3 * 60 * 60 * 1000)));
      await panel.getByRole('button', { name: 'Count' }).click();
      await panel.locator('[data-recover-count="2"]').waitFor();
      await expect(counted.textContent()).resolves.toMatch(
        /^2 failed deliveries of acme billing since .+ will be sent again\.$/,
      );
      // The slow one fails after the count: it is in the window, and the outcome says so.
      release();
      f.hold = undefined;
      await until(
        async () =>
          (await f.listed(`webhook_id=${f.flaky}&status=failed`)).some((d) => d.id === slow),
        60_000,
        'the slow delivery to fail',
      );
      // Nothing is sent by the count alone; a failure created after the count is not sent.
      const [later] = await createDeliveries(f.stack.server.apiUrl, f.flaky, 1);
      await until(
        async () =>
          (await f.listed(`webhook_id=${f.flaky}&status=failed`)).some((d) => d.id === later),
        60_000,
        'the later delivery to fail',
      );
      expect((await f.listed(`webhook_id=${f.flaky}`)).length).toBe(5);
      f.flakyFails = false;

      // The first confirmation's answer is lost; the second, under the same key, replays it.
      const bulk = '**/v1/deliveries/redeliver';
      const loseConfirm = (route: Route) =>
        (route.request().postDataJSON() as { dry_run: boolean }).dry_run
          ? route.continue()
          : loseAnswer(route);
      await f.page.route(bulk, loseConfirm);
      await panel.getByRole('button', { name: 'Send 2 again' }).click();
      await panel.getByRole('alert').waitFor();
      await f.page.unroute(bulk, loseConfirm);
      await panel.getByRole('button', { name: 'Send 2 again' }).click();
      const done = panel.locator('[data-recovered="3"]');
      await expect(done.textContent()).resolves.toBe(
        '3 new deliveries created — 1 more failed meanwhile.',
      );
      // The button that sent them is gone: focus is on what it did.
      await f.focusIs(frame, "el.dataset.recovered === '3'", 'the outcome');

      const [dry, ...confirms] = sent('/deliveries/redeliver').slice(-3);
      const body = (r: Request) => r.postDataJSON() as Record<string, unknown>;
      expect(confirms).toHaveLength(2);
      expect(body(dry)).toMatchObject({ dry_run: true, status: 'failed', webhook_id: f.flaky });
      expect(Date.parse(String(body(dry).created_before))).not.toBeNaN();
      for (const confirm of confirms) {
        expect(body(confirm)).toEqual({ ...body(dry), dry_run: false });
        expect(confirm.headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
      }
      expect(confirms[1].headers()['idempotency-key']).toBe(
        confirms[0].headers()['idempotency-key'],
      );

      await until(
        async () => (await f.listed(`webhook_id=${f.flaky}&status=succeeded`)).length === 3,
        60_000,
        'the recovered deliveries to succeed',
      );
      expect((await f.listed(`webhook_id=${f.flaky}`)).length).toBe(8);
      const recovered = f.stack.receiver.requests.filter(
        (r) =>
          r.url === '/flaky' &&
          ![...f.flakyIds, slow, later].includes(String(r.headers['webhook-id'])),
      );
      expect(recovered).toHaveLength(3);
      // They are copies of the failures in the window: the same payloads.
      const payloads = async (ids: string[]) =>
        (
          await f.stack.db.dataSource.query<{ payload: string }[]>(
            'SELECT payload FROM deliveries WHERE id = ANY($1) ORDER BY payload',
            [ids],
          )
        ).map((d) => d.payload);
      const recoveredIds = recovered.map((r) => String(r.headers['webhook-id']));
      expect(await payloads(recoveredIds)).toEqual(await payloads([...recent, slow]));
      expect(problems()).toEqual([]);
    });
  });
});
