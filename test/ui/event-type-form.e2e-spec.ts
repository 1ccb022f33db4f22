import type { Page } from 'playwright-core';
import { step, type Browser } from '../support/browser';
import { call, type Stack } from '../helpers/system';
import { useDashboardStack } from '../helpers/dashboard';

/**
 * The dashboard's event type form (SPEC §14) where it refuses, in Debian's Chromium against
 * the real `postmand server`: a name already taken, an edit of a type changed through the
 * API since the form was loaded (the user's input kept), a character no one can see in
 * pasted JSON named by its code point in a live region that is there before the first
 * error; the picker's descriptions with such characters escaped; and a type's page and its
 * edit page on a phone-sized screen.
 */
describe('dashboard: the event type form’s refusals, unseen characters and a phone screen', () => {
  const dashboard = useDashboardStack();
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let ui: string;
  beforeAll(() => ({ stack, browser, page, ui } = dashboard));

  const api = (method: string, path: string, body?: unknown) =>
    call(stack.server.apiUrl, method, path, body);
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const note = (id: string) => page.locator(`#f-${id}-note`);
  const loaded = () => page.locator('.loading').waitFor({ state: 'detached' });

  it('refuses a new type whose name is taken, keeping what was typed', async () => {
    await step(page, 'etf-taken', async () => {
      expect(
        (await api('PUT', '/v1/event-types/order.created', { description: 'Ours' })).status,
      ).toBe(201);
      await page.goto(`${ui}/event-types/+new`);
      await heading('New event type').waitFor();
      await page.getByLabel('Name').fill('order.created');
      await page.getByLabel('Description').fill('An impostor');
      await page.getByRole('button', { name: 'Create event type' }).click();
      const reason = 'is in the catalogue already: open it from the list to edit it';
      await note('name').getByText(`Name ${reason}`).waitFor();
      await page.getByRole('alert').filter({ hasText: reason }).waitFor();
      await expect(page.getByLabel('Name').getAttribute('aria-invalid')).resolves.toBe('true');
      await heading('New event type').waitFor();
      await expect(page.getByLabel('Name').inputValue()).resolves.toBe('order.created');
      await expect(page.getByLabel('Description').inputValue()).resolves.toBe('An impostor');
      const stored = await api('GET', '/v1/event-types/order.created');
      expect(stored.body.description).toBe('Ours');
    });
  });

  it('refuses an edit of a type changed since the form was loaded, keeping the input', async () => {
    await step(page, 'etf-stale', async () => {
      await page.goto(`${ui}/event-types/order.created/edit`);
      await heading('Edit event type order.created').waitFor();
      await expect(page.getByLabel('Description').inputValue()).resolves.toBe('Ours');
      await page.getByLabel('Description').fill('Mine');
      await page.getByLabel('Example').fill('{"mine": true}');
      const theirs = await api('PUT', '/v1/event-types/order.created', {
        description: 'Theirs',
      });
      expect(theirs.status).toBe(200);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'This event type changed after this form was filled' })
        .waitFor();
      await heading('Edit event type order.created').waitFor();
      await expect(page.getByLabel('Description').inputValue()).resolves.toBe('Mine');
      await expect(page.getByLabel('Example').inputValue()).resolves.toBe('{"mine": true}');
      const stored = await api('GET', '/v1/event-types/order.created');
      expect(stored.body).toMatchObject({ description: 'Theirs', example: null });
    });
  });

  it('names an unseen character in pasted JSON by its code point, in a live region', async () => {
    await step(page, 'etf-unseen', async () => {
      await page.goto(`${ui}/event-types/+new`);
      await heading('New event type').waitFor();
      // There before the first error, empty, so that the first error is announced.
      const region = page.locator('#f-schema-parse');
      await expect(region.getAttribute('aria-live')).resolves.toBe('polite');
      await expect(region.textContent()).resolves.toBe('');
      const schema = page.getByLabel('Schema');
      const cases: [text: string, said: string][] = [
        [
          '{\n  "type":\u200b"object"\n}',
          'line 2, column 10): U+200B (zero-width space) is not allowed here: a value was expected',
        ],
        [
          '{"type":\u00a0"object"}',
          'line 1, column 9): U+00A0 (no-break space) is not allowed here: JSON’s whitespace is space, tab and line breaks only',
        ],
        [
          '\ufeff{"type": "object"}',
          'line 1, column 1): U+FEFF (zero-width no-break space, the byte order mark) is not allowed here: JSON’s whitespace is space, tab and line breaks only',
        ],
        [
          '{"type": "object"\u202e}',
          'line 1, column 18): U+202E (right-to-left override) is not allowed here: “,” or “}” was expected',
        ],
        [
          '{"type": "object", "x": tru\u200be}',
          'line 1, column 28): U+200B (zero-width space) is not allowed here: “true” was expected',
        ],
        [
          '{"type": "ob\tject"}',
          'line 1, column 13): U+0009 (tab) is not allowed here: an escape (\\n, \\t…) instead of a control character was expected',
        ],
      ];
      for (const [text, said] of cases) {
        await schema.fill(text);
        await region.getByText(`Not JSON (${said}`, { exact: true }).waitFor();
        await expect(schema.getAttribute('aria-invalid')).resolves.toBe('true');
      }
      // A visible character is quoted, as before.
      await schema.fill('{"type": "object",}');
      await region
        .getByText(
          'Not JSON (line 1, column 19): “}” where a string in double quotes was expected',
          {
            exact: true,
          },
        )
        .waitFor();
      // Inside a string such characters are JSON: no error, the region empty and still there.
      await schema.fill('{"description": "a\u200bb\u202ec\u00a0d"}');
      await page.locator('#f-schema-parse:empty').waitFor({ state: 'attached' });
      await expect(schema.getAttribute('aria-invalid')).resolves.toBeNull();
    });
  });

  it('escapes a description’s bidi and invisible characters in the picker', async () => {
    await step(page, 'etf-picker', async () => {
      const put = await api('PUT', '/v1/event-types/order.refunded', {
        description: 'Refund \u202edeifitonnu\u202c of\u200b an order',
      });
      expect(put.status).toBe(201);
      await page.goto(`${ui}/webhooks/new`);
      await heading('New webhook').waitFor();
      const shown = page.locator('label[for="et-type-order.refunded"] .picker-note');
      await expect(shown.textContent()).resolves.toBe(
        'Refund \\u202edeifitonnu\\u202c of\\u200b an order',
      );
    });
  });

  it('fits a phone screen: a type’s page and its edit page', async () => {
    await step(page, 'etf-phone', async () => {
      const name = `wide.${'n'.repeat(240)}`;
      const long = 'x'.repeat(1000);
      const put = await api('PUT', `/v1/event-types/${name}`, {
        description: long,
        schema: { type: 'object', properties: { [`p${'p'.repeat(200)}`]: { type: 'string' } } },
        example: JSON.stringify({ [`p${'p'.repeat(200)}`]: 'v'.repeat(500) }),
      });
      expect(put.status).toBe(201);
      await page.setViewportSize({ width: 390, height: 844 });
      /** No sideways scroll: nothing wider than the window. */
      const fits = async (where: string) =>
        expect([
          where,
          await page.evaluate<boolean>(
            'document.scrollingElement.scrollWidth <= window.innerWidth',
          ),
        ]).toEqual([where, true]);
      await page.goto(`${ui}/event-types/${name}`);
      await heading(/^Event type wide\./).waitFor();
      await loaded();
      await fits('the type’s page');
      await page.getByRole('link', { name: 'Edit' }).click();
      await heading(/^Edit event type wide\./).waitFor();
      await loaded();
      await fits('the edit page');
      // With a long parse error under the schema.
      await page.getByLabel('Schema').fill(`{"${'q'.repeat(300)}": \u200b}`);
      await page.locator('#f-schema-parse').getByText('U+200B').waitFor();
      await fits('the edit page with a parse error');
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });

  it('broke no CSP rule and logged no error', () => {
    expect(browser.problems).toEqual([]);
  });
});
