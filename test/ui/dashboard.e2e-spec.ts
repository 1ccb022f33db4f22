import * as path from 'node:path';
import { ApiKeyRepository, ApiKeysService } from '@app/domain';
import type { Page } from 'playwright-core';
import { openBrowser, step, type Browser } from '../support/browser';
import { call, startStack, type StackWithWorker } from '../helpers/system';
import { until } from '../helpers/wait';

/** README screenshots are rewritten only when asked: `UPDATE_SCREENSHOTS=1 npx jest test/ui`. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const DOCS = path.resolve(__dirname, '../../docs');

/** A failing endpoint's bodies: binary at first, then text with markup and escapes. */
const BINARY = Buffer.concat([
  Buffer.from([0x00, 0x01, 0x1b, 0xff, 0xfe]),
  Buffer.from('<script>window.__pwned = 1</script>'),
]);
const HOSTILE_TEXT =
  '\u001b[2J<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">';

/**
 * SPEC §10 in Debian's Chromium, against the real `postmand server` and `postmand worker`
 * with access control on: the key prompt, a webhook made through the form (the API's
 * validation messages shown by field), an event published, its delivery succeeding, its
 * attempt opened, a redelivery, a failing endpoint's circuit shown open, a bulk redeliver
 * after its dry-run count, keyboard use, a phone-sized screen, and a revoked key bringing
 * the prompt back. Nothing is loaded from outside the service and no CSP rule is broken.
 */
describe('dashboard (/ui) in a real browser', () => {
  let stack: StackWithWorker;
  let browser: Browser;
  let page: Page;
  let keys: ApiKeysService;
  let key: string;
  let ui: string;

  let failures = 0;

  beforeAll(async () => {
    stack = await startStack({
      env: { POSTMAND_AUTH: 'api_key', POSTMAND_CIRCUIT_FAILURES: '2' },
      worker: { POSTMAND_POLLING_INTERVAL: '200' },
    });
    stack.receiver.respond = (req, res) => {
      if (req.url.startsWith('/fail')) {
        failures++;
        if (failures === 1) {
          res.writeHead(500, { 'Content-Type': 'application/octet-stream' }).end(BINARY);
        } else {
          res.writeHead(500, { 'Content-Type': 'text/html' }).end(HOSTILE_TEXT);
        }
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('thanks');
      }
    };
    keys = new ApiKeysService(new ApiKeyRepository(stack.db.dataSource));
    key = (await keys.create('dashboard', 'write')).key;
    ui = `${stack.server.apiUrl}/ui`;
    browser = await openBrowser();
    page = browser.page;
    page.setDefaultTimeout(60_000); // a deadline for each wait, generous for a busy machine
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** An expression evaluated in the page (a string: the test's types know no DOM). */
  const js = <T = unknown>(expression: string): Promise<T> => page.evaluate<T>(expression);
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const shoot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: path.join(DOCS, `dashboard-${name}.png`) });
  };
  /** Reloads until `selector` shows up: for lists, which do not refresh by themselves. */
  const reloadUntil = (selector: string, what: string) =>
    until(
      async () => {
        await page.reload();
        await heading(/./).waitFor();
        return (await page.locator(selector).count()) > 0;
      },
      30_000,
      what,
    );
  /**
   * Waits until the page has loaded what it shows: no loading note, no list being fetched.
   * A list's rows are counted only then (its table is rendered once its first page is in).
   */
  const loaded = () =>
    until(
      async () => (await page.locator('.loading, [aria-busy="true"]').count()) === 0,
      30_000,
      'the page to load',
    );
  /** The rows of the list once it has loaded. */
  const rows = async (selector = 'tbody tr'): Promise<number> => {
    await loaded();
    return page.locator(selector).count();
  };
  const ids = async (sql: string, params: unknown[]): Promise<string[]> =>
    (await stack.db.dataSource.query<{ id: string }[]>(sql, params)).map((r) => r.id);

  let good: string;
  let failing: string;
  let goodDelivery: string;

  it('asks for the API key, refuses a wrong one, keeps a right one in sessionStorage only', async () => {
    await step(page, 'key-prompt', async () => {
      await page.goto(`${ui}/`);
      await heading('API key').waitFor();
      const input = page.getByRole('textbox', { name: 'API key' });
      await expect(input.getAttribute('type')).resolves.toBe('password');
      await input.fill(`pmk_${'x'.repeat(43)}`);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await page.getByRole('alert').filter({ hasText: 'That key was refused' }).waitFor();
      await input.fill(key);
      await page.getByRole('button', { name: 'Use this key' }).click();
      await heading('Overview').waitFor();
      expect(await js("sessionStorage.getItem('postmand.api_key')")).toBe(key);
      expect(await js('localStorage.length')).toBe(0);
      expect(await page.content()).not.toContain(key);
    });
  });

  it('creates webhooks through the form, showing the API’s validation messages by field', async () => {
    await step(page, 'create-webhook', async () => {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Webhooks' })
        .click();
      await heading('Webhooks').waitFor();
      await page.getByText('No webhooks yet').waitFor();
      await page.getByRole('link', { name: 'New webhook' }).click();
      await heading('New webhook').waitFor();

      const bad = {
        name: 'ab',
        url: 'mailto:ops@example.com',
        content_type: 'application/json',
        valid_status_codes: [200, 201, 202, 204],
      };
      const refused = await call(stack.server.apiUrl, 'POST', '/v1/webhooks', bad, 10_000, {
        Authorization: `Bearer ${key}`,
      });
      expect(refused.status).toBe(400);
      const reasons = Object.fromEntries(
        String(refused.body.details)
          .replace(/\.$/, '')
          .split('; ')
          .map((p) => p.split(': ')),
      ) as Record<string, string>;
      expect(Object.keys(reasons).sort()).toEqual(['name', 'url']);

      await page.getByLabel('Name', { exact: true }).fill(bad.name);
      await page.getByLabel('URL', { exact: true }).fill(bad.url);
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toContain('request validation failed');
      await expect(page.locator('#f-name-note').textContent()).resolves.toBe(
        `Name ${reasons.name}`,
      );
      await expect(page.locator('#f-url-note').textContent()).resolves.toBe(`URL ${reasons.url}`);
      await expect(
        page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'),
      ).resolves.toBe('true');
      // Focus went to the first field the API named.
      expect(await js('document.activeElement?.id')).toBe('f-name');
      await shoot('webhook-form');

      await page.getByLabel('Name', { exact: true }).fill('Orders service');
      await page.getByLabel('URL', { exact: true }).fill(`${stack.receiver.url}/hook`);
      await page.getByLabel('Event types').fill('order.*');
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await heading('Webhook “Orders service”').waitFor();
      good = page.url().split('/').pop() as string;

      await page.goto(`${ui}/webhooks/new`);
      await heading('New webhook').waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Billing (failing)');
      await page.getByLabel('URL', { exact: true }).fill(`${stack.receiver.url}/fail`);
      await page.getByLabel('Event types').fill('order.*');
      await page.getByLabel('Max attempts').fill('10');
      await page.getByLabel('First retry after (s)').fill('1');
      await page.getByLabel('Longest wait (s)').fill('1');
      await page.getByRole('button', { name: 'Create webhook' }).click();
      await heading('Webhook “Billing (failing)”').waitFor();
      failing = page.url().split('/').pop() as string;
      const stored = await call(
        stack.server.apiUrl,
        'GET',
        `/v1/webhooks/${failing}`,
        undefined,
        60_000,
        {
          Authorization: `Bearer ${key}`,
        },
      );
      expect(stored.body).toMatchObject({
        event_types: ['order.*'],
        max_delivery_attempts: 10,
        retry_min_backoff: 1,
        retry_max_backoff: 1,
      });
    });
  });

  it('publishes an event and watches its delivery succeed, then opens the attempt', async () => {
    await step(page, 'publish-and-deliver', async () => {
      await page.goto(`${ui}/events`);
      await heading('Events').waitFor();
      await page.getByText('Publish an event').click();
      await page.getByLabel('Event type', { exact: true }).first().fill('order.created');
      await page.getByLabel('Payload').fill('{"order": 42}');
      await page.getByRole('button', { name: 'Publish' }).click();
      const notice = page.getByRole('status').filter({ hasText: 'Published order.created' });
      await notice.waitFor();
      await expect(notice.textContent()).resolves.toContain('2 deliveries');
      await notice.getByRole('link').click();
      await heading('Deliveries').waitFor();
      await expect(rows()).resolves.toBe(2);

      [goodDelivery] = await ids(`SELECT id FROM deliveries WHERE webhook_id = $1`, [good]);
      await page.locator(`a[href="/ui/deliveries/${goodDelivery}"]`).click();
      await heading(`Delivery ${goodDelivery.slice(0, 8)}`).waitFor();
      // The page looks again by itself while the delivery is pending.
      await page.locator('[data-delivery-status="succeeded"]').waitFor({ timeout: 60_000 });
      await page.locator('.timeline summary').first().click();
      const request = page.locator('figure.raw').filter({ hasText: 'Request' }).locator('pre');
      await expect(request.textContent()).resolves.toMatch(/^POST \/hook HTTP\/1\.1/);
      await expect(request.textContent()).resolves.toContain('{"order": 42}');
      const response = page.locator('figure.raw').filter({ hasText: 'Response' }).locator('pre');
      await expect(response.textContent()).resolves.toMatch(/^HTTP\/1\.1 200/);
      await expect(response.textContent()).resolves.toContain('thanks');
      await shoot('delivery');
    });
  });

  it('redelivers one delivery and shows the copy succeed', async () => {
    await step(page, 'redeliver', async () => {
      await page.getByRole('button', { name: 'Redeliver' }).click();
      await page.waitForURL((url) => !url.pathname.endsWith(goodDelivery));
      const copy = page.url().split('/').pop() as string;
      expect(copy).not.toBe(goodDelivery);
      await page.locator('[data-delivery-status="succeeded"]').waitFor({ timeout: 60_000 });
      const hooks = stack.receiver.requests.filter((r) => r.url === '/hook');
      expect(new Set(hooks.map((r) => r.headers['webhook-id']))).toEqual(
        new Set([goodDelivery, copy]),
      );
    });
  });

  it('shows binary and hostile response bodies as inert text', async () => {
    await step(page, 'binary-body', async () => {
      const [failed] = await ids(`SELECT id FROM deliveries WHERE webhook_id = $1`, [failing]);
      await page.goto(`${ui}/deliveries/${failed}`);
      await until(
        async () => (await page.locator('.timeline summary').count()) >= 2,
        60_000,
        'two attempts',
      );
      const summaries = page.locator('.timeline summary');
      await summaries.nth(0).click();
      await summaries.nth(1).click();
      const responses = page.locator('figure.raw').filter({ hasText: 'Response' }).locator('pre');
      // The first body was binary: a hex dump, its markup only in the ASCII column.
      const binary = (await responses.nth(0).textContent()) ?? '';
      expect(binary).toMatch(/^HTTP\/1\.1 500/);
      expect(binary).toContain('[binary body, 40 bytes, shown as hex]');
      expect(binary).toContain(
        '00000000  00 01 1b ff fe 3c 73 63 72 69 70 74 3e 77 69 6e  .....<script>win',
      );
      // The second was text: markup shown as text, control characters as escapes.
      const text = (await responses.nth(1).textContent()) ?? '';
      expect(text).toContain('\\x1b[2J<script>window.__pwned = 1</script><img src=x');
      expect(text).not.toContain('\u001b');
      expect(await js('window.__pwned')).toBeUndefined();
      await expect(page.locator('pre script, pre img').count()).resolves.toBe(0);
    });
  });

  it('lists webhooks with the failing one’s circuit open and each success rate', async () => {
    await step(page, 'circuit-open', async () => {
      await page.goto(`${ui}/webhooks`);
      await reloadUntil(
        `tr[data-webhook="${failing}"] [data-circuit="open"]`,
        'circuit shown open',
      );
      const row = page.locator(`tr[data-webhook="${failing}"]`);
      await expect(row.textContent()).resolves.toContain('Circuit open');
      await expect(row.locator('.rate').textContent()).resolves.toMatch(/^0 % of [2-9]/);
      const okRow = page.locator(`tr[data-webhook="${good}"]`);
      await expect(okRow.textContent()).resolves.toContain('Closed');
      await expect(okRow.locator('.rate').textContent()).resolves.toBe('100 % of 2');
      await shoot('webhooks');
    });
  });

  it('redelivers in bulk after showing the dry run’s count', async () => {
    await step(page, 'bulk-redeliver', async () => {
      await page.goto(`${ui}/deliveries?status=succeeded&webhook_id=${good}`);
      await heading('Deliveries').waitFor();
      await expect(rows('tbody tr[data-status="succeeded"]')).resolves.toBe(2);
      await expect(rows()).resolves.toBe(2);
      const before = stack.receiver.requests.length;
      await page.getByRole('button', { name: 'Redeliver matching…' }).click();
      const count = page.locator('[data-dry-run-count]');
      await count.waitFor();
      await expect(count.getAttribute('data-dry-run-count')).resolves.toBe('2');
      // The dry run created nothing.
      expect(await ids(`SELECT id FROM deliveries WHERE webhook_id = $1`, [good])).toHaveLength(2);
      // A count belongs to its filter: clearing the filter drops it (no "Redeliver 2" of
      // every webhook's deliveries).
      await page.getByRole('link', { name: 'Clear' }).click();
      await page.getByRole('button', { name: 'Redeliver matching…' }).waitFor();
      await expect(page.getByRole('button', { name: 'Redeliver 2' }).count()).resolves.toBe(0);
      await page.goBack();
      await page.getByRole('button', { name: 'Redeliver matching…' }).click();
      await page.locator('[data-dry-run-count="2"]').waitFor();
      await page.getByRole('button', { name: 'Redeliver 2' }).click();
      await page.getByRole('status').filter({ hasText: '2 new deliveries created.' }).waitFor();
      await until(
        () => stack.receiver.requests.slice(before).filter((r) => r.url === '/hook').length >= 2,
        60_000,
        'the two redeliveries',
      );
      await page.goto(`${ui}/deliveries?webhook_id=${good}`);
      await heading('Deliveries').waitFor();
      await expect(rows()).resolves.toBe(4);
      await shoot('deliveries');
    });
  });

  it('shows the URL’s filters in every filter control', async () => {
    await step(page, 'filters-from-url', async () => {
      const eventId = '0b6c3ad4-2f1e-4c59-9d7e-4c1f0f6f2a11';
      for (const status of ['succeeded', 'failed', 'pending']) {
        const query = new URLSearchParams({
          status,
          webhook_id: good,
          event_type: 'order.created',
          event_id: eventId,
        });
        await page.goto(`${ui}/deliveries?${query.toString()}`);
        await heading('Deliveries').waitFor();
        await loaded();
        const form = page.getByRole('form', { name: 'Filter deliveries' });
        await expect(form.getByLabel('Status').inputValue()).resolves.toBe(status);
        await expect(form.locator('#q-status option:checked').textContent()).resolves.toBe(status);
        await expect(form.getByLabel('Webhook id').inputValue()).resolves.toBe(good);
        await expect(form.getByLabel('Event type').inputValue()).resolves.toBe('order.created');
        await expect(form.getByLabel('Event id').inputValue()).resolves.toBe(eventId);
      }
      // Applying the form keeps them: the URL it builds is the one it was opened with.
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL((url) => url.searchParams.get('status') === 'pending');
      expect(new URL(page.url()).searchParams.get('webhook_id')).toBe(good);
      await page.goto(`${ui}/events?event_type=order.created`);
      await heading('Events').waitFor();
      const events = page.getByRole('form', { name: 'Filter events' });
      await expect(events.getByLabel('Event type').inputValue()).resolves.toBe('order.created');
    });
  });

  it('shows live figures and charts on the overview', async () => {
    await step(page, 'overview', async () => {
      await page.goto(`${ui}/`);
      await heading('Overview').waitFor();
      await until(
        async () => (await page.locator('[data-figure="per-second"]').textContent()) !== '—',
        60_000,
        'figures',
      );
      await page.locator('figure.chart').nth(2).waitFor();
      await expect(page.locator('figure.chart').count()).resolves.toBe(3);
      const legend =
        (await page.locator('figure.chart').first().locator('.legend').textContent()) ?? '';
      expect(legend).toMatch(/Succeeded: \d+/);
      expect(await page.locator('figure.chart svg path.s-ok').getAttribute('d')).toMatch(/^M/);
      await page.waitForTimeout(4500); // a few backlog samples for the screenshot
      await shoot('overview');
    });
  });

  it('refuses to save a form over a change made since it was filled', async () => {
    await step(page, 'stale-form', async () => {
      await page.goto(`${ui}/webhooks/${good}`);
      await heading('Webhook “Orders service”').waitFor();
      await page.getByLabel('Name', { exact: true }).fill('Orders service (renamed)');
      const auth = { Authorization: `Bearer ${key}` };
      const rotated = await call(
        stack.server.apiUrl,
        'POST',
        `/v1/webhooks/${good}/rotate-secret`,
        { grace_period: 3600 },
        60_000,
        auth,
      );
      expect(rotated.status).toBe(200);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'changed after this form was filled' })
        .waitFor();
      const now = await call(
        stack.server.apiUrl,
        'GET',
        `/v1/webhooks/${good}`,
        undefined,
        60_000,
        auth,
      );
      expect(now.body).toMatchObject({
        name: 'Orders service',
        secret_token: rotated.body.secret_token,
      });
    });
  });

  it('works from the keyboard', async () => {
    await step(page, 'keyboard', async () => {
      await page.goto(`${ui}/`);
      await heading('Overview').waitFor();
      await page.keyboard.press('Tab');
      expect(await js('document.activeElement?.textContent')).toBe('Skip to content');
      const names: string[] = [];
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press('Tab');
        names.push((await js<string>('document.activeElement?.textContent')) ?? '');
      }
      expect(names).toEqual(['postmand', 'Overview', 'Webhooks']);
      await page.keyboard.press('Enter');
      await heading('Webhooks').waitFor();
      // Focus moved to the new page's heading (after its render: waited for, not raced).
      await page.waitForFunction("document.activeElement?.id === 'page-title'");
      await page.locator(`tr[data-webhook="${good}"] a`).first().focus();
      await page.keyboard.press('Enter');
      await heading('Webhook “Orders service”').waitFor();
    });
  });

  it('fits a phone screen', async () => {
    await step(page, 'phone', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const where of [
        '/',
        '/webhooks',
        `/deliveries?webhook_id=${good}`,
        `/deliveries/${goodDelivery}`,
      ]) {
        await page.goto(`${ui}${where}`);
        await heading(/./).waitFor();
        await loaded();
        const overflow = await js<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        expect([where, overflow]).toEqual([where, 0]);
      }
      await page.goto(`${ui}/webhooks`);
      await page.locator(`tr[data-webhook="${good}"]`).waitFor();
      if (SCREENSHOTS) await page.screenshot({ path: path.join(DOCS, 'dashboard-phone.png') });
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });

  it('lets Swagger UI’s Authorize send the key (SPEC §9)', async () => {
    await step(page, 'swagger-authorize', async () => {
      await page.goto(`${stack.server.apiUrl}/swagger`);
      await page.locator('.btn.authorize').click();
      // The API key's scheme (the document may declare others, such as portal sessions).
      const apiKey = page.locator('.auth-container').filter({ hasText: 'api_key (http, Bearer)' });
      await apiKey.locator('input').fill(key);
      await apiKey.locator('.auth-btn-wrapper .btn.authorize').click();
      await apiKey.locator('.auth-btn-wrapper .btn-done').click();
      const op = page.locator('#operations-webhooks-listWebhooks');
      await op.locator('.opblock-summary').click();
      await op.locator('.try-out__btn').click();
      await op.locator('.execute').click();
      const status = op.locator('.live-responses-table tbody .response-col_status').first();
      await status.waitFor();
      await expect(status.textContent()).resolves.toBe('200');
      await expect(
        op.locator('.live-responses-table .microlight').first().textContent(),
      ).resolves.toContain('"Orders service"');
    });
  });

  it('brings the key prompt back when the key is revoked', async () => {
    await step(page, 'revoked', async () => {
      await page.goto(`${ui}/`);
      await heading('Overview').waitFor();
      await keys.revoke('dashboard');
      // The overview polls every 2 s; API processes drop a revoked key within 5 s.
      await heading('API key').waitFor({ timeout: 60_000 });
      await page.getByText('The API refused the key this tab held').waitFor();
      expect(await js("sessionStorage.getItem('postmand.api_key')")).toBeNull();
    });
  });

  it('loaded nothing from outside the service and broke no CSP rule', () => {
    const origin = new URL(stack.server.apiUrl).origin;
    expect(browser.requested.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(browser.problems).toEqual([]);
  });
});
