import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from '../support/browser';
import { startStack, type Stack } from '../helpers/system';

/**
 * The webhook form takes each field's default and limits from the document the API
 * serves (issue 26 item 5): a new webhook starts at the API's defaults, and a document
 * that lacks a field of the form (an older API met during a rolling deploy) is said so,
 * instead of a form that fails on it.
 */
describe('dashboard: the webhook form reads the served OpenAPI document', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack({ worker: false });
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(60_000); // a deadline for each wait, generous for a busy machine
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("starts a new webhook at the API's defaults", async () => {
    const doc = (await (await fetch(`${stack.server.apiUrl}/swagger/doc.json`)).json()) as {
      components: {
        schemas: Record<string, { properties: Record<string, { 'x-default'?: unknown }> }>;
      };
    };
    const props = doc.components.schemas.WebhookRequestDto.properties;
    await page.goto(`${stack.server.apiUrl}/ui/webhooks/new`);
    await page.getByRole('heading', { name: 'New webhook' }).waitFor();
    expect(await page.getByLabel('Event types').inputValue()).toBe(
      (props.event_types['x-default'] as string[]).join(', '),
    );
    expect(await page.getByLabel('Max attempts').inputValue()).toBe(
      String(props.max_delivery_attempts['x-default']),
    );
    expect(browser.problems).toEqual([]);
  });

  it('says so when the served document lacks a field of the form', async () => {
    await page.route('**/swagger/doc.json', async (route) => {
      const res = await route.fetch();
      const doc = (await res.json()) as {
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      };
      delete doc.components.schemas.WebhookRequestDto.properties.max_delivery_attempts;
      await route.fulfill({ response: res, json: doc });
    });
    await page.goto(`${stack.server.apiUrl}/ui/webhooks/new`);
    await page
      .getByText(/lacks max_delivery_attempts: the API is older than this dashboard/)
      .waitFor();
    expect(await page.getByLabel('Max attempts').count()).toBe(0);
    expect(browser.problems.filter((p) => p.startsWith('page error'))).toEqual([]);
  });
});
