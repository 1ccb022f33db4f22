import { step } from '../support/browser';
import { startPortalHarness, type PortalHarness } from '../helpers/portal';
import { createWebhook } from '../helpers/system';
import { until } from '../helpers/wait';

/** A webhook without the fields named: what an edit of those must leave as it was. */
const without = (w: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(w).filter(([k]) => !keys.includes(k)));

/**
 * The customer portal's endpoint management (SPEC §13 "Endpoints"), what a session that
 * writes does, framed by a page of another site: create and list, edit and toggle keeping
 * every field the form does not show, delete; no console error or CSP violation. Each case
 * makes its own endpoint. The signing secret: portal-endpoints-secret.e2e-spec.ts; read-only
 * sessions, success rates, the pager and a phone's width: portal-endpoints-views.e2e-spec.ts.
 */
describe('the customer portal’s endpoints, written to from a frame of another site', () => {
  let h: PortalHarness;
  beforeAll(async () => {
    h = await startPortalHarness(['acme', 'globex']);
  }, 300_000);
  afterAll(async () => {
    await h?.close();
  });
  afterEach(() => expect(h.browser.problems).toEqual([]));

  it('creates an endpoint in the frame and lists it, with no other tenant’s', async () => {
    await step(h.page, 'portal-endpoint-create', async () => {
      const theirs = await createWebhook(h.stack.server.apiUrl, 'https://example.com/globex', {
        name: 'globex endpoint',
        tenant_id: 'globex',
      });
      const frame = await h.openPortal();
      await frame.getByRole('button', { name: 'New endpoint' }).click();
      await h.viewOf(frame, 'New endpoint');
      await frame.getByLabel('URL').fill(`${h.stack.receiver.url}/acme`);
      await frame.getByLabel('Name').fill('acme orders');
      await frame.getByLabel('Event types').fill('order.*, invoice.paid');
      await frame.getByRole('button', { name: 'Create endpoint' }).click();
      await h.viewOf(frame, 'acme orders');

      const listed = await h.api('GET', '/v1/webhooks?tenant_id=acme');
      const made = listed.body.webhooks.find((w: { name: string }) => w.name === 'acme orders');
      expect(made).toMatchObject({
        url: `${h.stack.receiver.url}/acme`,
        tenant_id: 'acme',
        event_types: ['order.*', 'invoice.paid'],
        active: true,
      });
      // Signed from its first delivery, with a secret of Standard Webhooks' form.
      expect(made.secret_token).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

      await frame.getByRole('button', { name: '← All endpoints' }).click();
      await h.viewOf(frame, 'Endpoints');
      await frame.locator(`tr[data-endpoint-row="${made.id}"]`).waitFor();
      expect(await frame.locator(`[data-endpoint-row="${theirs}"]`).count()).toBe(0);
      expect((await frame.locator('main').textContent()) ?? '').not.toContain('globex');
    });
  });

  it('shows the endpoint’s success rate from its attempts', async () => {
    await step(h.page, 'portal-endpoint-rate', async () => {
      const id = await h.endpoint('acme rated');
      expect(
        (await h.api('POST', '/v1/deliveries', { webhook_id: id, payload: '{}' })).status,
      ).toBe(201);
      await until(
        async () =>
          (await h.api('GET', `/v1/stats/webhooks?webhook_ids=${id}`)).body.webhooks[0]
            ?.success_rate === 1,
        60_000,
        'the attempt to count',
      );
      const frame = await h.openEndpoint('acme rated');
      await frame.locator('[data-success-rate="1"]').waitFor();
      await frame.getByRole('button', { name: '← All endpoints' }).click();
      const rate = frame.locator(`tr[data-endpoint-row="${id}"] [data-success-rate="1"]`);
      await rate.waitFor();
      expect(await rate.textContent()).toContain('100 %');
    });
  });

  it('edits and toggles the endpoint, keeping every field the form does not show', async () => {
    await step(h.page, 'portal-endpoint-edit', async () => {
      const id = await h.endpoint('acme edited');
      // Every field the portal's form leaves out, away from its default.
      const hidden = {
        content_type: 'application/cloudevents+json',
        valid_status_codes: [200, 202, 204],
        max_delivery_attempts: 7,
        delivery_attempt_timeout: 25,
        retry_min_backoff: 30,
        retry_max_backoff: 7200,
        max_concurrency: 3,
        rate_limit: 40,
        ordering: 'fifo',
      };
      expect(
        (await h.api('PUT', `/v1/webhooks/${id}`, { ...(await h.held(id)), ...hidden })).status,
      ).toBe(200);
      const before = await h.held(id);
      expect(before).toMatchObject(hidden);

      const frame = await h.openEndpoint('acme edited');
      await frame.getByRole('button', { name: 'Edit' }).click();
      await h.viewOf(frame, 'Edit “acme edited”');
      await frame.getByLabel('URL').fill('ftp://example.com/acme');
      await frame.getByRole('button', { name: 'Save changes' }).click();
      const note = frame.locator('#f-url-note.field-error');
      await note.waitFor();
      // The API's own reason for the same URL, word for word.
      const refused = await h.api('PUT', `/v1/webhooks/${id}`, {
        ...before,
        url: 'ftp://x.example',
      });
      expect(refused.status).toBe(400);
      const reason = /(?:^|; )url: ([^;]+?)\.?(?:;|$)/.exec(refused.body.details)?.[1];
      expect(reason).toBeTruthy();
      expect(await note.textContent()).toBe(`URL ${reason}`);
      await until(
        () => frame.evaluate<boolean>("document.activeElement?.id === 'f-url'"),
        30_000,
        'focus on the URL field',
      );

      const url = `${h.stack.receiver.url}/acme/v2`;
      await frame.getByLabel('URL').fill(url);
      await frame.getByLabel('Name').fill('acme edited v2');
      await frame.getByRole('button', { name: 'Save changes' }).click();
      await h.viewOf(frame, 'acme edited v2');
      const edited = await h.held(id);
      expect(edited).toMatchObject({ name: 'acme edited v2', url });
      expect(without(edited, 'name', 'url', 'updated_at')).toEqual(
        without(before, 'name', 'url', 'updated_at'),
      );

      await frame.getByRole('button', { name: 'Disable' }).click();
      await frame.getByRole('button', { name: 'Enable' }).waitFor();
      const disabled = await h.held(id);
      expect(disabled.active).toBe(false);
      expect(without(disabled, 'active', 'updated_at')).toEqual(
        without(edited, 'active', 'updated_at'),
      );
      expect(await frame.locator('[data-state] [data-circuit="disabled"]').textContent()).toContain(
        'Inactive',
      );
      await frame.getByRole('button', { name: 'Enable' }).click();
      await frame.getByRole('button', { name: 'Disable' }).waitFor();
      expect(without(await h.held(id), 'updated_at')).toEqual(without(edited, 'updated_at'));
      expect(await frame.locator('[data-state] [data-circuit="closed"]').count()).toBe(1);
    });
  });

  it('deletes the endpoint once, after a confirmation that focuses “Keep it”', async () => {
    await step(h.page, 'portal-endpoint-delete', async () => {
      const id = await h.endpoint('acme deleted');
      const frame = await h.openEndpoint('acme deleted');
      await frame.getByRole('button', { name: 'Delete…' }).click();
      await frame.getByRole('button', { name: 'Delete endpoint' }).waitFor();
      await until(
        () => frame.evaluate<boolean>("document.activeElement?.textContent === 'Keep it'"),
        30_000,
        'focus on “Keep it”',
      );
      expect((await h.api('GET', `/v1/webhooks/${id}`)).status).toBe(200);

      // The DELETE is held until the button has been seen disabled.
      let deletes = 0;
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      await h.page.route(`**/v1/webhooks/${id}`, async (route) => {
        if (route.request().method() === 'DELETE') {
          deletes++;
          await released;
        }
        await route.continue();
      });
      try {
        await frame.getByRole('button', { name: 'Delete endpoint' }).dblclick();
        await frame.getByRole('button', { name: 'Deleting…', disabled: true }).waitFor();
        release();
        await h.viewOf(frame, 'Endpoints');
      } finally {
        release();
        await h.page.unroute(`**/v1/webhooks/${id}`);
      }
      expect(deletes).toBe(1);
      expect((await h.api('GET', `/v1/webhooks/${id}`)).status).toBe(404);
      expect(await frame.locator(`[data-endpoint-row="${id}"]`).count()).toBe(0);
    });
  });
});
