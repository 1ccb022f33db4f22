import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { step, type Browser } from '../support/browser';
import { call, type Stack } from '../helpers/system';
import { useDashboardStack } from '../helpers/dashboard';

/** README screenshots are rewritten only when asked: `UPDATE_SCREENSHOTS=1 npx jest test/ui`. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const DOCS = path.resolve(__dirname, '../../docs');

const HOSTILE = '<img src=x onerror="window.__pwned=1"> An order was placed.';
const SCHEMA = {
  type: 'object',
  required: ['order_id'],
  properties: { order_id: { type: 'integer' } },
};
/** The API's largest payload here, so that a larger example is a 413. */
const MAX_PAYLOAD = 4096;

/**
 * SPEC §14 and §15 in the dashboard, in Debian's Chromium against the real `postmand
 * server`: the catalogue listed, a type created, edited and deleted through its form (the
 * API's reasons shown by the schema and the example), the webhook form's picker and its
 * filter editor (a parse error before submit, the API's reason by the field after), markup
 * in a description shown as text, and a phone-sized screen.
 */
describe('dashboard: the event type catalogue and the filter editor', () => {
  const dashboard = useDashboardStack({ POSTMAND_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD) });
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let ui: string;
  beforeAll(() => ({ stack, browser, page, ui } = dashboard));

  const js = <T = unknown>(expression: string): Promise<T> => page.evaluate<T>(expression);
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  /** The note under a field: the API's reason once refused. */
  const note = (id: string) => page.locator(`#f-${id}-note`);
  /** The API's reason for a PUT of `body`, named as the form names it: "schema: …". */
  const reasonFor = async (body: unknown, field: string): Promise<string> => {
    const res = await call(stack.server.apiUrl, 'PUT', '/v1/event-types/probe.refused', body);
    expect(res.status).toBe(400);
    const part = (res.body.details as string)
      .replace(/\.$/, '')
      .split('; ')
      .find((p) => p.startsWith(`${field}: `));
    expect(part).toBeDefined();
    return part!.slice(field.length + 2);
  };
  const overflow = () =>
    js<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

  it('creates a type, with the API’s reasons by the schema and the example', async () => {
    await step(page, 'et-create', async () => {
      await page.goto(`${ui}/event-types`);
      await heading('Event types').waitFor();
      await page.getByText('No event types yet').waitFor();
      await page.getByRole('link', { name: 'New event type' }).click();
      await heading('New event type').waitFor();
      await page.getByLabel('Name').fill('order.created');
      await page.getByLabel('Description').fill(HOSTILE);

      // Not JSON: said as typed, with where, before anything is sent.
      await page.getByLabel('Schema').fill('{"type": "object",}');
      await page
        .locator('#f-schema-parse')
        .getByText(/line 1, column \d+/)
        .waitFor();

      const bad = { type: 'objekt' };
      await page.getByLabel('Schema').fill(JSON.stringify(bad));
      // JSON now: the live region stays in the page, empty.
      await page.locator('#f-schema-parse:empty').waitFor({ state: 'attached' });
      await page.getByLabel('Example').fill('{"order_id": 42}');
      await page.getByRole('button', { name: 'Create event type' }).click();
      const schemaReason = await reasonFor({ description: HOSTILE, schema: bad }, 'schema');
      await note('schema').getByText(`Schema ${schemaReason}`).waitFor();
      expect(await page.getByLabel('Schema').getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('Schema').fill(JSON.stringify(SCHEMA, null, 2));
      await page.getByLabel('Example').fill('{"order_id": "42"}');
      await page.getByRole('button', { name: 'Create event type' }).click();
      const exampleReason = await reasonFor(
        { schema: SCHEMA, example: '{"order_id": "42"}' },
        'example',
      );
      await note('example').getByText(`Example ${exampleReason}`).waitFor();

      await page.getByLabel('Example').fill('{"order_id": 42}');
      await page.getByRole('button', { name: 'Create event type' }).click();
      await heading('Event type order.created').waitFor();
      const stored = await call(stack.server.apiUrl, 'GET', '/v1/event-types/order.created');
      expect(stored.body).toMatchObject({
        description: HOSTILE,
        schema: SCHEMA,
        example: '{"order_id": 42}',
        deprecated: false,
      });
      expect((await call(stack.server.apiUrl, 'GET', '/v1/event-types/probe.refused')).status).toBe(
        404,
      );
    });
  });

  it('shows the type: its description as text, its schema and example', async () => {
    await step(page, 'et-show', async () => {
      await expect(page.locator('dd.description').textContent()).resolves.toBe(HOSTILE);
      expect(await page.locator('main img').count()).toBe(0);
      expect(await js('window.__pwned')).toBeUndefined();
      const schema = page.locator('figure.raw').filter({ hasText: 'Schema' }).locator('pre');
      expect(JSON.parse((await schema.textContent()) ?? '')).toEqual(SCHEMA);
      const example = page.locator('figure.raw').filter({ hasText: 'Example' }).locator('pre');
      // As stored, byte for byte: what a test delivery sends.
      await expect(example.textContent()).resolves.toBe('{"order_id": 42}');
    });
  });

  it('edits it: a too-large example is refused by the field, then it is deprecated', async () => {
    await step(page, 'et-edit', async () => {
      await page.getByRole('link', { name: 'Edit' }).click();
      await heading('Edit event type order.created').waitFor();
      expect(await page.getByLabel('Name').count()).toBe(0);
      const big = JSON.stringify({ order_id: 1, pad: 'x'.repeat(MAX_PAYLOAD) });
      await page.getByLabel('Example').fill(big);
      await page.getByRole('button', { name: 'Save changes' }).click();
      const refused = await call(stack.server.apiUrl, 'PUT', '/v1/event-types/probe.refused', {
        example: big,
      });
      expect(refused.status).toBe(413);
      await note('example')
        .getByText(`Example ${refused.body.message as string}`)
        .waitFor();

      await page.getByLabel('Example').fill('{"order_id": 7}');
      await page.getByLabel('Description').fill('An order was placed.');
      await page.getByLabel('Deprecated').check();
      await page.getByRole('button', { name: 'Save changes' }).click();
      await heading('Event type order.created').waitFor();
      await page.locator('[data-deprecated]').waitFor();
      const stored = await call(stack.server.apiUrl, 'GET', '/v1/event-types/order.created');
      expect(stored.body).toMatchObject({
        description: 'An order was placed.',
        example: '{"order_id": 7}',
        deprecated: true,
      });
    });
  });

  it('lists the catalogue, and fits a phone screen', async () => {
    await step(page, 'et-list', async () => {
      const shipped = await call(stack.server.apiUrl, 'PUT', '/v1/event-types/order.shipped', {
        description: 'An order left the warehouse.',
      });
      expect(shipped.status).toBe(201);
      await page.getByRole('link', { name: 'Event types', exact: true }).click();
      await heading('Event types').waitFor();
      const row = page.locator('tr[data-event-type="order.created"]');
      await row.waitFor();
      await expect(row.locator('[data-deprecated]').count()).resolves.toBe(1);
      await expect(row.textContent()).resolves.toContain('schema, example');
      await expect(row.textContent()).resolves.toContain('An order was placed.');
      const other = page.locator('tr[data-event-type="order.shipped"]');
      await expect(other.textContent()).resolves.toContain('An order left the warehouse.');
      if (SCREENSHOTS) {
        await page.screenshot({ path: path.join(DOCS, 'dashboard-event-types.png') });
      }

      await page.setViewportSize({ width: 390, height: 844 });
      for (const where of ['/event-types', '/event-types/+new', '/webhooks/new']) {
        await page.goto(`${ui}${where}`);
        await heading(/./).waitFor();
        await page.locator('.loading').waitFor({ state: 'detached' });
        expect([where, await overflow()]).toEqual([where, 0]);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });

  it('picks types and edits the filter in the webhook form', async () => {
    await step(page, 'et-webhook', async () => {
      const refunded = await call(stack.server.apiUrl, 'PUT', '/v1/event-types/order.refunded', {
        description: HOSTILE,
      });
      expect(refunded.status).toBe(201);
      await page.goto(`${ui}/webhooks/new`);
      await heading('New webhook').waitFor();
      const picked = page.getByRole('checkbox', { name: /order\.created/ });
      await picked.waitFor();
      await page
        .locator('label[for="et-type-order.created"]')
        .getByText('An order was placed.')
        .waitFor();
      await page.locator('label[for="et-type-order.refunded"]').getByText(HOSTILE).waitFor();
      await page
        .locator('label[for="et-type-order.shipped"]')
        .getByText('An order left the warehouse.')
        .waitFor();
      expect(await page.locator('main img').count()).toBe(0);

      await page.getByLabel('Name', { exact: true }).fill('Gold orders');
      await page.getByLabel('URL').fill(`${stack.receiver.url}/gold`);
      await picked.check();

      // The operator reference names every operator of §15.
      await page.locator('.filter-reference summary').click();
      const reference = (await page.locator('.filter-reference').textContent()) ?? '';
      for (const op of ['$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists']) {
        expect([op, reference.includes(`${op} `)]).toEqual([op, true]);
      }
      for (const op of ['$contains', '$and', '$or', '$not']) {
        expect([op, reference.includes(`${op} `)]).toEqual([op, true]);
      }

      const filter = page.getByLabel('Filter');
      await filter.fill('{\n  "data.tier": \n}');
      await page.locator('#f-filter-parse').getByText('line 3, column 1').waitFor();
      await filter.fill('{"data.tier": {"$foo": 1}}');
      await page.locator('#f-filter-parse:empty').waitFor({ state: 'attached' });
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await note('filter').getByText('Filter at data.tier: unknown operator $foo').waitFor();
      await expect(note('filter').locator('.error-path').textContent()).resolves.toBe('data.tier');

      await filter.fill('{"data.tier": {"$in": ["gold"]}}');
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await heading('Webhook “Gold orders”').waitFor();
      const id = new URL(page.url()).pathname.split('/').pop()!;
      const webhook = await call(stack.server.apiUrl, 'GET', `/v1/webhooks/${id}`);
      expect(webhook.body.event_types).toEqual(['order.created']);
      expect(webhook.body.filter).toEqual({ 'data.tier': { $in: ['gold'] } });
      // The edit shows what is stored: the type picked, the filter as JSON.
      await expect(
        page.getByRole('checkbox', { name: /order\.created/ }).isChecked(),
      ).resolves.toBe(true);
      expect(JSON.parse(await page.getByLabel('Filter').inputValue())).toEqual(webhook.body.filter);
    });
  });

  it('deletes a type after a confirmation', async () => {
    await step(page, 'et-delete', async () => {
      await page.goto(`${ui}/event-types/order.shipped`);
      await heading('Event type order.shipped').waitFor();
      let asked = '';
      page.once('dialog', (dialog) => {
        asked = dialog.message();
        void dialog.accept();
      });
      await page.getByRole('button', { name: 'Delete' }).click();
      await heading('Event types').waitFor();
      expect(asked).toContain('order.shipped');
      await page.locator('tr[data-event-type="order.created"]').waitFor();
      expect(await page.locator('tr[data-event-type="order.shipped"]').count()).toBe(0);
      // A description's markup in the list is text too.
      const hostile = page.locator('tr[data-event-type="order.refunded"]');
      await expect(hostile.textContent()).resolves.toContain(HOSTILE);
      expect(await page.locator('main img').count()).toBe(0);
      expect(await js('window.__pwned')).toBeUndefined();
      const gone = await call(stack.server.apiUrl, 'GET', '/v1/event-types/order.shipped');
      expect(gone.status).toBe(404);
    });
  });

  it('broke no CSP rule and logged no error', () => {
    expect(browser.problems).toEqual([]);
  });
});
