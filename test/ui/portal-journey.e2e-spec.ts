import * as path from 'node:path';
import type { Frame, Request } from 'playwright-core';
import { step } from '../support/browser';
import { startPortalHarness, type PortalHarness } from '../helpers/portal';
import { until } from '../helpers/wait';

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const DOCS = path.resolve(__dirname, '../../docs');

/** A payload that would run if any of it were markup: it must stay text. */
const HOSTILE_NOTE = '<img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>';
const EXAMPLE = JSON.stringify({ order_id: 1001, note: HOSTILE_NOTE });

/** Every control that writes: a read-only session sees none, in any view. */
const WRITES =
  /^(New endpoint|Edit|Disable|Enable|Delete…|Rotate secret|Send test event|Redeliver|Recover failed deliveries…)$/;

/**
 * Issue 28's journey, in Debian's Chromium against the real `postmand server` and worker:
 * a page of another site frames the portal with a session's url; inside the frame a
 * customer creates an endpoint picking a type from the catalogue, sends it a test event and
 * sees the attempt succeed, finds another endpoint's failures and recovers them; a
 * read-only session shows no write control; a revoked one shows "Session expired". All the
 * while a second tenant's data is present and never shown, the token is in no request's
 * URL or Referer, no log line and not the DOM, no request leaves the service, hostile
 * payloads stay text, and nothing reaches the console.
 */
describe('the customer portal, end to end', () => {
  let h: PortalHarness;
  const requests: Request[] = [];
  let billingFails = true;

  beforeAll(async () => {
    // Request log lines included: the token must not be in any of them.
    h = await startPortalHarness(['acme', 'globex'], { POSTMAND_LOG_LEVEL: 'debug' });
    h.page.on('request', (r) => requests.push(r));
    h.stack.receiver.respond = (req, res) => {
      res.statusCode = req.url.startsWith('/billing') && billingFails ? 500 : 200;
      res.end('ok');
    };
  }, 300_000);
  afterAll(() => h?.close());

  const shot = async (name: string) => {
    if (SCREENSHOTS) await h.page.screenshot({ path: path.join(DOCS, `portal-${name}.png`) });
  };
  const token = () => new URL(h.embedder.frameSrc).hash.replace('#token=', '');
  const tokens: string[] = [];
  const open = async (options: { readOnly?: boolean } = {}): Promise<Frame> => {
    const frame = await h.openPortal(options);
    tokens.push(token());
    return frame;
  };
  const toDeliveries = async (frame: Frame) => {
    await frame.getByRole('button', { name: 'Deliveries', exact: true }).click();
    await frame.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
  };
  let billing = '';
  let failed: string[] = [];

  it('creates an endpoint from the catalogue, sends it a test event and sees it arrive', async () => {
    await step(h.page, 'portal-journey-test-event', async () => {
      const type = await h.api('PUT', '/v1/event-types/order.created', {
        description: 'An order was placed.',
        schema: {
          type: 'object',
          required: ['order_id'],
          properties: { order_id: { type: 'integer' } },
        },
        example: EXAMPLE,
      });
      expect(type.status).toBe(201);
      billing = await h.endpoint('acme billing', {
        url: `${h.stack.receiver.url}/billing`,
        event_types: ['order.*'],
        max_delivery_attempts: 1,
      });
      await h.endpoint('globex orders', { tenant_id: 'globex', event_types: ['order.*'] });
      for (const tenant of ['acme', 'acme', 'globex']) {
        const event = await h.api('POST', '/v1/events', {
          event_type: 'order.created',
          payload: JSON.stringify({ order_id: 7, tenant }),
          tenant_id: tenant,
        });
        expect(event.status).toBe(201);
      }
      await until(
        async () =>
          (failed = (
            await h.api('GET', `/v1/deliveries?webhook_id=${billing}&status=failed`)
          ).body.deliveries.map((d: { id: string }) => d.id)).length === 2,
        60_000,
        'acme billing’s two failures',
      );

      const frame = await open();
      await frame.getByRole('button', { name: 'New endpoint' }).click();
      await h.viewOf(frame, 'New endpoint');
      await frame.getByLabel('URL').fill(`${h.stack.receiver.url}/orders`);
      await frame.getByLabel('Name').fill('acme orders');
      // The picker shows the catalogue's type with its description.
      const pick = frame.getByRole('checkbox', { name: /order\.created/ });
      await expect(
        frame.locator('.picker-list li').filter({ hasText: 'An order was placed.' }).count(),
      ).resolves.toBe(1);
      await pick.check();
      await frame.getByRole('button', { name: 'Create endpoint' }).click();
      await h.viewOf(frame, 'acme orders');
      const made = (await h.api('GET', '/v1/webhooks?tenant_id=acme')).body.webhooks.find(
        (w: { name: string }) => w.name === 'acme orders',
      );
      expect(made).toMatchObject({ event_types: ['order.created'], tenant_id: 'acme' });

      await frame.getByRole('button', { name: 'Send test event' }).click();
      const sent = frame.locator('[data-test-delivery]');
      await sent.locator('[data-status="succeeded"]').waitFor();
      await sent.locator('[data-attempt].ok').waitFor();
      const arrived = h.stack.receiver.requests.find((r) => r.url === '/orders');
      expect(arrived?.body.toString()).toBe(EXAMPLE);
      expect(arrived?.headers['x-postmand-event-type']).toBe('order.created');
      await shot('endpoint');

      // The test delivery in the logs: the hostile note is text, nothing ran or loaded.
      await sent.getByRole('button', { name: 'Open in Deliveries' }).click();
      await frame.locator('[data-delivery-status="succeeded"]').waitFor();
      expect(await frame.locator('main').textContent()).toContain(HOSTILE_NOTE);
      expect(await frame.locator('img, main script').count()).toBe(0);
      expect(h.browser.problems).toEqual([]);
    });
  });

  it('finds another endpoint’s failures and recovers them', async () => {
    await step(h.page, 'portal-journey-recover', async () => {
      const frame = await open();
      await toDeliveries(frame);
      await frame.locator('#f-status').selectOption('failed');
      await frame.getByRole('button', { name: 'Apply' }).click();
      for (const id of failed) await frame.locator(`tr[data-delivery-row="${id}"]`).waitFor();
      expect(await frame.locator('tr[data-delivery-row]').count()).toBe(2);
      const text = (await frame.locator('main').textContent()) ?? '';
      expect(text).not.toContain('globex');
      await shot('deliveries');

      billingFails = false;
      const before = h.stack.receiver.requests.filter((r) => r.url === '/billing').length;
      await frame.getByRole('button', { name: 'Recover failed deliveries…' }).click();
      const panel = frame.getByRole('region', { name: 'Recover failed deliveries' });
      await panel.getByRole('button', { name: 'Count' }).click();
      await panel.locator('[data-recover-count="2"]').waitFor();
      await shot('recover');
      await panel.getByRole('button', { name: 'Send 2 again' }).click();
      await panel.locator('[data-recovered="2"]').waitFor();
      await until(
        () => h.stack.receiver.requests.filter((r) => r.url === '/billing').length === before + 2,
        60_000,
        'the two recovered deliveries to arrive',
      );
      await until(
        async () =>
          (await h.api('GET', `/v1/deliveries?webhook_id=${billing}&status=succeeded`)).body
            .deliveries.length === 2,
        60_000,
        'the two copies to succeed',
      );
      expect(h.browser.problems).toEqual([]);
    });
  });

  it('shows a read-only session no control that writes, in any view', async () => {
    await step(h.page, 'portal-journey-read-only', async () => {
      const frame = await open({ readOnly: true });
      await frame.locator('.portal-badge').filter({ hasText: 'Read-only' }).waitFor();
      const writes = () => frame.getByRole('button', { name: WRITES }).count();
      await frame.locator('tr[data-endpoint-row]').first().waitFor();
      expect(await writes()).toBe(0);
      await frame.getByRole('button', { name: 'acme billing', exact: true }).click();
      await h.viewOf(frame, 'acme billing');
      await frame.locator('[data-state]').waitFor();
      expect(await writes()).toBe(0);
      await toDeliveries(frame);
      await frame.locator('tr[data-delivery-row]').first().waitFor();
      expect(await writes()).toBe(0);
      await frame.locator('tr[data-delivery-row] button').first().click();
      await frame.locator('[data-delivery-status]').waitFor();
      expect(await writes()).toBe(0);
      expect(h.browser.problems).toEqual([]);
    });
  });

  it('shows "Session expired", and nothing else, once the session is revoked', async () => {
    await step(h.page, 'portal-journey-revoked', async () => {
      const frame = await open();
      await frame.locator('tr[data-endpoint-row]').first().waitFor();
      expect((await h.api('DELETE', '/v1/tenants/acme/portal-sessions')).status).toBe(204);
      // The next request the page makes is refused.
      await frame.getByRole('button', { name: 'Deliveries', exact: true }).click();
      await frame.getByRole('heading', { name: 'Session expired' }).waitFor();
      await expect(frame.locator('tr, nav, button').count()).resolves.toBe(0);
    });
  });

  it('never shows the token, sends nothing outside the service, logs no token', async () => {
    const allowed = new Set([h.embedder.origin, new URL(h.stack.server.apiUrl).origin]);
    expect(requests.length).toBeGreaterThan(10);
    expect(tokens).toHaveLength(4);
    for (const r of requests) {
      expect(allowed).toContain(new URL(r.url()).origin);
      const headers = await r.allHeaders();
      for (const t of tokens) {
        expect(r.url()).not.toContain(t);
        expect(headers.referer ?? '').not.toContain(t);
      }
    }
    const dom = await h.page.frames()[1]?.content();
    const logs = h.stack.server.cli.output() + h.stack.worker.cli.output();
    // The request log lines are there to look into: one per request the portal made.
    expect(logs).toContain('"url":"/v1/webhooks');
    for (const t of tokens) {
      expect(dom).not.toContain(t);
      expect(logs).not.toContain(t);
      expect(logs).not.toContain(t.slice(4, 20));
    }
    expect(h.browser.problems).toEqual([]);
  });
});
